"""Each stack's whole inventory is committed under tests/snapshots/, so a pull request shows every
resource it adds, removes or changes; `pytest --update-snapshots` rewrites the files after an intended change.

The dashboards' bodies are kept as digests: dashboards/<stack>/ already holds each body in full, and a
test there fails when it is stale.
"""
DIGESTED = {"aws:cloudwatch/dashboard:Dashboard": ["dashboardBody"]}


def test_the_stack_matches_its_committed_inventory_snapshot(stack, snapshot, request):
    snapshot.assert_match(request.getfixturevalue(f"{stack}_stack"), digested=DIGESTED)
