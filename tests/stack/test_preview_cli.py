"""The preview command as a user runs it: configuration errors are one clear message and exit 2,
and `make inventory > file` writes nothing but the JSON."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from components.preview.__main__ import main as preview_main
from components.preview.runner import REPO_ROOT


def project_copy(tmp_path, stack_body: str | None = None, name: str = "platform"):
    for file in ("__main__.py", "Pulumi.yaml", "Pulumi.dev.yaml"):
        shutil.copy(REPO_ROOT / file, tmp_path / file)
    if name != "platform":
        (tmp_path / "Pulumi.yaml").write_text((tmp_path / "Pulumi.yaml").read_text().replace("name: platform\n", f"name: {name}\n", 1))
    if stack_body is not None:
        (tmp_path / "Pulumi.dev.yaml").write_text(stack_body)
    return tmp_path


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "components.preview", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)


def test_a_yaml_syntax_error_is_one_line_with_file_and_line_and_exit_2(tmp_path):
    root = project_copy(tmp_path, "config:\n  aws:region: us-east-1\n  platform:logLevel: [DEBUG\n")
    done = run_cli("dev", "--no-write", "--root", str(root))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().startswith("Pulumi.dev.yaml:4:1: YAML syntax error")
    assert len(done.stderr.strip().splitlines()) == 1 and done.stdout == ""


def test_two_services_that_would_share_a_name_are_one_message_and_exit_2(tmp_path, capsys):
    root = project_copy(tmp_path)
    program = (root / "__main__.py").read_text()
    clash = ('platform.add("sales", InternalFunctionArgs(handler="handlers.sales.app.handler", '  # sales-aggregate's
             'tables=[TableSpec(hash_key="id", part="aggregate-table")]))\n')                    # table, spelt again
    (root / "__main__.py").write_text(program.replace("platform.finish()", clash + "platform.finish()", 1))
    assert preview_main(["dev", "--no-write", "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == ("service 'sales' (part 'aggregate-table') would name a dynamodb_table "
                           "'platform-dev-sales-aggregate-table', which service 'sales-aggregate' (part 'table') already "
                           "has; rename one of the two services")


@pytest.mark.parametrize("source", ["file", "set"])
def test_yes_for_a_boolean_is_refused_from_the_file_and_from_set_alike(tmp_path, capsys, source):
    body = "config:\n  aws:region: us-east-1\n" + ("  platform:pageOnCritical: yes\n" if source == "file" else "")
    root = project_copy(tmp_path, body)
    extra = ["--set", "pageOnCritical=yes"] if source == "set" else []
    assert preview_main(["dev", "--no-write", "--root", str(root), *extra]) == 2
    assert 'platform:pageOnCritical = "yes" is not valid; allowed: true or false' in capsys.readouterr().err


def test_a_plaintext_secret_is_refused_with_the_command_to_use(tmp_path, capsys):
    root = project_copy(tmp_path, "config:\n  platform:alarmEmailsWarning: team@example.com\n")
    assert preview_main(["dev", "--no-write", "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert "team@example.com" not in err
    assert "pulumi config set --stack dev --secret platform:alarmEmailsWarning <value>" in err


def test_an_unknown_region_and_a_typod_aws_key_are_refused(capsys):
    assert preview_main(["dev", "--no-write", "--set", "aws:region=mars-1", "--set", "aws:profle=ops"]) == 2
    err = capsys.readouterr().err
    assert 'aws:region = "mars-1" is not valid' in err and "did you mean aws:profile?" in err


def test_a_renamed_project_reads_its_settings_from_its_own_namespace(tmp_path, capsys):
    root = project_copy(tmp_path, "config:\n  aws:region: eu-west-1\n  cafe:lambdaMemoryMb: 1024\n", name="cafe")
    assert preview_main(["dev", "--json", "--no-write", "--root", str(root)]) == 0
    inventory = json.loads(capsys.readouterr().out)
    (function,) = [e for e in inventory if e["name"] == "orders-api-function"]
    assert function["inputs"]["memorySize"] == 1024 and function["inputs"]["name"] == "cafe-dev-orders-api"
    assert all("mars" not in json.dumps(e) for e in inventory)
    assert any("eu-west-1" in json.dumps(e["inputs"]) for e in inventory)


def test_a_renamed_project_with_settings_left_in_the_old_namespace_fails_clearly(tmp_path, capsys):
    root = project_copy(tmp_path, "config:\n  platform:lambdaMemoryMb: 1024\n", name="cafe")
    assert preview_main(["dev", "--no-write", "--root", str(root)]) == 2
    assert "platform:lambdaMemoryMb" in capsys.readouterr().err


def test_make_inventory_prints_only_the_json(inventory_command):
    if not inventory_command.via_make:
        pytest.skip("needs make and the Makefile's virtualenv (make test creates both)")
    inventory = json.loads(inventory_command.completed.stdout)
    assert any(entry["type"] == "aws:lambda/function:Function" for entry in inventory)
