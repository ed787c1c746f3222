# Two commands cover the daily loop:  make preview STACK=dev   and   make test
# Both build their own virtualenv from the pinned requirements on first use.
PYTHON ?= python3
VENV   ?= .venv
STACK  ?= dev
BIN    := $(VENV)/bin

.PHONY: preview inventory cost live test bench-deps archives images clean

$(BIN)/.installed: requirements.txt requirements-dev.txt handlers/requirements.txt services/menu/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

## Offline preview of a stack: prints the summary and writes dashboards/$(STACK)/
preview: $(BIN)/.installed
	$(BIN)/python -m components.preview $(STACK)

## The whole inventory of a stack as JSON, and nothing else on stdout (`make inventory > inv.json`):
## the commands are not echoed, and a first-time install reports on stderr.
inventory:
	@$(MAKE) --silent --no-print-directory $(BIN)/.installed >&2
	@$(BIN)/python -m components.preview $(STACK) --json --no-write

## The observability cost estimate of a stack (add ARGS=--json for JSON)
cost: $(BIN)/.installed
	$(BIN)/python -m components.preview.cost $(STACK) $(ARGS)

## The dashboard views with the last HOURS of real data (needs AWS credentials); writes build/live-dashboards/
HOURS ?= 3
live: $(BIN)/.installed
	$(BIN)/python -m components.preview.live $(STACK) --hours $(HOURS)

## The whole test suite, in two worker processes (pytest-xdist): the budget is 90 s on two cores
test: $(BIN)/.installed
	$(BIN)/python -m pytest -n 2

## Extra packages the cold-start benchmark compares against (see benchmarks/README.md)
bench-deps: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -r benchmarks/requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps opentelemetry-instrumentation-aws-lambda==0.66b1

## Builds the shared layer and the function archive into build/ (needs PyPI)
archives: $(BIN)/.installed
	$(BIN)/python -m components.packaging build --out build

## Builds every container service's image, pushes it to its ECR repository and pins the digest in
## images/$(STACK).json (needs Docker and AWS credentials; the first `pulumi up` creates the repositories)
images: $(BIN)/.installed
	$(BIN)/python -m components.images $(STACK)

clean:
	rm -rf $(VENV) build .pytest_cache
