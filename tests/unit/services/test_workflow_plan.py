"""Workflow definitions: placeholders, their substitution, and the checks that run before anything exists."""
import copy

from hypothesis import given, strategies as st

from components.services.workflow_plan import definition_problems, placeholders, substitute

DEFINITION = {
    "StartAt": "Charge", "TimeoutSeconds": 300,
    "States": {
        "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                   "Parameters": {"FunctionName": "${function:charge}", "Payload.$": "$"}, "Next": "Notify",
                   "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Refund"}]},
        "Notify": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                   "Parameters": {"TopicArn": "${topic:events}", "Message.$": "$"}, "End": True},
        "Refund": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                   "Parameters": {"FunctionName": "${function:refund}"}, "Next": "Failed"},
        "Failed": {"Type": "Fail", "Error": "PaymentFailed"},
    },
}


def test_placeholders_and_substitution():
    assert placeholders(DEFINITION) == {("function", "charge"), ("function", "refund"), ("topic", "events")}
    values = {("function", "charge"): "arn:fn:charge", ("function", "refund"): "arn:fn:refund",
              ("topic", "events"): "arn:sns:events"}
    filled = substitute(DEFINITION, values)
    assert filled["States"]["Charge"]["Parameters"]["FunctionName"] == "arn:fn:charge"
    assert filled["States"]["Notify"]["Parameters"]["TopicArn"] == "arn:sns:events"
    assert placeholders(filled) == set()
    assert DEFINITION["States"]["Charge"]["Parameters"]["FunctionName"] == "${function:charge}"  # not mutated


def test_a_sound_definition_has_no_problems():
    assert definition_problems(DEFINITION, {"charge", "refund"}, {"events"}) == []


def broken(change) -> list[str]:
    definition = copy.deepcopy(DEFINITION)
    change(definition)
    return definition_problems(definition, {"charge", "refund"}, {"events"})


def test_each_structural_mistake_is_named():
    assert any("StartAt 'Nope'" in p for p in broken(lambda d: d.update(StartAt="Nope")))
    assert any("'Notify': needs Next or End" in p for p in broken(lambda d: d["States"]["Notify"].pop("End")))
    assert any("goes to 'Gone'" in p for p in broken(lambda d: d["States"]["Charge"]["Catch"][0].update(Next="Gone")))
    assert any("TimeoutSeconds" in p for p in broken(lambda d: d.pop("TimeoutSeconds")))
    assert any("Type must be" in p for p in broken(lambda d: d["States"]["Failed"].update(Type="Stop")))
    assert any("${function:ship} names no task" in p for p in broken(
        lambda d: d["States"]["Refund"]["Parameters"].update(FunctionName="${function:ship}")))


def test_unknown_topics_and_unused_tasks_are_reported():
    assert any("${topic:events} names no topic" in p for p in definition_problems(DEFINITION, {"charge", "refund"}, set()))
    assert any("['audit'] are never called" in p for p in
               definition_problems(DEFINITION, {"charge", "refund", "audit"}, {"events"}))


def test_parallel_branches_are_checked_too():
    definition = {"StartAt": "Both", "TimeoutSeconds": 60, "States": {"Both": {
        "Type": "Parallel", "End": True, "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass"}}}]}}}
    assert any("branch 0 state 'A': needs Next or End" in p for p in definition_problems(definition, set(), set()))


names = st.from_regex(r"[a-z][a-z0-9_-]{0,12}", fullmatch=True)


@given(st.dictionaries(names, st.sampled_from(["function", "topic"]), min_size=1, max_size=6))
def test_substitution_replaces_every_placeholder_of_any_name(refs):
    definition = {"States": {name: {"Resource": f"${{{kind}:{name}}}", "Nested": [f"x ${{{kind}:{name}}} y"]}
                             for name, kind in refs.items()}}
    found = placeholders(definition)
    assert found == {(kind, name) for name, kind in refs.items()}
    filled = substitute(definition, {ref: f"arn:{ref[0]}:{ref[1]}" for ref in found})
    assert placeholders(filled) == set()
    for name, kind in refs.items():
        assert filled["States"][name]["Nested"] == [f"x arn:{kind}:{name} y"]
