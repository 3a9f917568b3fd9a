"""Planned replacement states for JSONata Lambda tasks.

``clinic_booking`` is written the way JSONata workflows usually are: ``"QueryLanguage":
"JSONata"`` once, at the top of the definition, and every state inherits it (``Arguments``
``{% $states.input.patient %}``, ``Output`` ``{% $states.result.Payload %}``, a catcher without
``Output`` whose state output is the error object). The same workflow with the query language
set on each state of a JSONPath machine (a workflow migrated state by state) is built from it.

Expectations were checked against the original tasks: the event is the ``Payload`` (or, for a
function ARN, the ``Arguments``), the output is the state's ``Output`` over the Lambda result.
"Reserve slot" sets a workflow variable (``Assign``), which the rewrite does not compose: it is
declined, and its replacement is tested on the same workflow without the ``Assign``.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fixture_plans import plan_for

from lambdaslim.plan import Plan

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rewrite_states"
CLINIC = FIXTURES / "clinic_booking"
MACHINE = "BookingStateMachine"
DEFINITION = Path("statemachine") / "booking.asl.json"
REMINDER_TEXT = "Tomorrow 09:00 with Ms de Vries, room 2"


@pytest.fixture(scope="module")
def clinic_plan(_module_cache: None) -> Plan:
    return plan_for(CLINIC)


@pytest.fixture(scope="module")
def per_state_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The clinic workflow in a JSONPath machine whose states each say ``JSONata``."""
    target = tmp_path_factory.mktemp("clinic") / "clinic_booking"
    shutil.copytree(CLINIC, target)
    definition = json.loads((target / DEFINITION).read_text())
    del definition["QueryLanguage"]
    for state in definition["States"].values():
        state["QueryLanguage"] = "JSONata"
    (target / DEFINITION).write_text(json.dumps(definition, indent=2))
    return target


@pytest.fixture(scope="module")
def per_state_plan(per_state_app: Path, _module_cache: None) -> Plan:
    return plan_for(per_state_app)


def _without_assign(app: Path, target: Path) -> Path:
    """The same application with "Reserve slot" no longer setting a variable."""
    shutil.copytree(app, target)
    definition = json.loads((target / DEFINITION).read_text())
    del definition["States"]["Reserve slot"]["Assign"]
    (target / DEFINITION).write_text(json.dumps(definition, indent=2))
    return target


@pytest.fixture(scope="module")
def no_assign_plan(tmp_path_factory: pytest.TempPathFactory, _module_cache: None) -> Plan:
    target = tmp_path_factory.mktemp("clinic-no-assign") / "clinic_booking"
    return plan_for(_without_assign(CLINIC, target))


@pytest.fixture(scope="module")
def per_state_no_assign_plan(per_state_app: Path, tmp_path_factory: pytest.TempPathFactory,
                             _module_cache: None) -> Plan:
    target = tmp_path_factory.mktemp("clinic-per-state-no-assign") / "clinic_booking"
    return plan_for(_without_assign(per_state_app, target))


def states_of(plan: Plan, state: str) -> dict[str, dict[str, Any]]:
    machine = plan.machine(MACHINE)
    assert machine is not None, plan.declined
    found = [e for e in machine.states if e.state_path[-1] == state]
    assert len(found) == 1, f"{state!r} not planned; declined: {plan.declined}"
    return found[0].states


def jsonata_states(states: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The same states in a JSONPath machine: each says its query language."""
    return {name: {"Type": s["Type"], "QueryLanguage": "JSONata", **s}
            for name, s in states.items()}


# The correct replacements, written for a machine that is JSONata as a whole.
CHECK_COUNTRY = {
    # Payload {% $states.input.patient %}: event["country"] is patient.country. The catcher
    # has no Output: the state output was the error object itself, then the catcher's Next.
    # Before the guard, what Python raised evaluating it: KeyError without a country,
    # AttributeError when it is not text. The catcher names only UnsupportedCountryError.
    "Check country": {
        "Type": "Choice",
        "Choices": [{"Condition": "{% $not($exists($states.input.patient.country)) %}",
                     "Next": "Check country: KeyError"},
                    {"Condition": '{% $type($states.input.patient.country) != "string" %}',
                     "Next": "Check country: AttributeError"},
                    {"Condition": '{% $lowercase($states.input.patient.country) != "nl" %}',
                     "Next": "Check country: UnsupportedCountryError"}],
        "Default": "Check age",
    },
    "Check country: KeyError": {
        "Type": "Fail",
        "Comment": "KeyError raised by the replaced function (line 9)",
        "Error": "KeyError",
        "Cause": '{% $string({"errorMessage": "\'country\'", "errorType": "KeyError"}) %}',
    },
    "Check country: AttributeError": {
        "Type": "Fail",
        "Comment": "AttributeError raised by the replaced function (line 9)",
        "Error": "AttributeError",
        "Cause": '{% $string({"errorMessage": "\'" & (($t := $type($states.input.patient.country);'
                 ' $t = "null" ? "NoneType" : $t = "boolean" ? "bool" : $t = "array" ? "list" : '
                 '$t = "object" ? "dict" : $t = "number" ? ($floor($states.input.patient.country)'
                 ' = $states.input.patient.country ? "int" : "float") : $t)) & "\' object has no '
                 'attribute \'lower\'", "errorType": "AttributeError"}) %}',
    },
    "Check country: UnsupportedCountryError": {
        "Type": "Pass",
        "Comment": "UnsupportedCountryError raised by the replaced function (line 9), as its "
                   "catcher saw it",
        "Output": '{% {"Error": "UnsupportedCountryError", "Cause": $string({"errorMessage": '
                  '"Patients insured abroad are referred to a partner clinic", "errorType": '
                  '"UnsupportedCountryError"})} %}',
        "Next": "Refer to partner clinic",
    },
}
CHECK_AGE = {
    # A function ARN with Arguments {% $states.input.patient %}: that is the event.
    # Output {% $states.input %}: the Choice passes its input on.
    # KeyError without an age; without an id only when the message is built (a minor).
    "Check age": {
        "Type": "Choice",
        "Choices": [{"Condition": "{% $not($exists($states.input.patient.age)) %}",
                     "Next": "Check age: KeyError"},
                    {"Condition": "{% ($states.input.patient.age < 18) and "
                                  "($not($exists($states.input.patient.id))) %}",
                     "Next": "Check age: KeyError (line 9)"},
                    {"Condition": "{% $states.input.patient.age < 18 %}",
                     "Next": "Check age: MinorPatientError"}],
        "Default": "Reserve slot",
    },
    "Check age: KeyError": {
        "Type": "Fail",
        "Comment": "KeyError raised by the replaced function (line 9)",
        "Error": "KeyError",
        "Cause": '{% $string({"errorMessage": "\'age\'", "errorType": "KeyError"}) %}',
    },
    "Check age: KeyError (line 9)": {
        "Type": "Fail",
        "Comment": "KeyError raised by the replaced function (line 9)",
        "Error": "KeyError",
        "Cause": '{% $string({"errorMessage": "\'id\'", "errorType": "KeyError"}) %}',
    },
    "Check age: MinorPatientError": {
        "Type": "Fail",
        "Comment": "MinorPatientError raised by the replaced function (line 9)",
        "Error": "MinorPatientError",
        "Cause": '{% $string({"errorMessage": "Patient " & $states.input.patient.id & '
                 '" is a minor", "errorType": "MinorPatientError"}) %}',
    },
}
RELEASE_HOLD = {
    # Output {% $states.result.Payload %} is the handler's return value.
    "Release hold": {
        "Type": "Task",
        "Resource": "arn:aws:states:::dynamodb:deleteItem",
        "Arguments": {"TableName": "${HoldsTable}",
                      "Key": {"slotId": {"S": "{% $states.input.slotId %}"}}},
        "Output": '{% {"slotId": $states.input.slotId, "reminder": $states.input.reminder} %}',
        "Next": "Queue reminder",
    },
}
ANNOUNCE_BOOKING = {
    # The FailedEntryCount guard is what the integration does itself (declared).
    "Announce booking": {
        "Type": "Task",
        "Resource": "arn:aws:states:::events:putEvents",
        "Arguments": {"Entries": [{
            "Source": "clinic.booking",
            "DetailType": "AppointmentBooked",
            "Detail": '{% $string({"slotId": $states.input.slotId}) %}',
            "EventBusName": "${PracticeBus}",
        }]},
        "Output": '{% {"eventId": $states.result.Entries[0].EventId} %}',
        "End": True,
    },
}
RESERVE_SLOT = {
    # (Without its Assign.) A function ARN with Arguments {% $states.input.booking %} and no
    # Output: the state's output is the function's return value. The Lambda-only retrier goes;
    # the one naming States.Timeout stays (Lambda.Unknown in it matches nothing now).
    "Reserve slot": {
        "Type": "Task",
        "Resource": "arn:aws:states:::dynamodb:putItem",
        "Arguments": {
            "TableName": "${SlotsTable}",
            "Item": {"slotId": {"S": "{% $states.input.booking.slotId %}"},
                     "therapist": {"S": "{% $states.input.booking.therapist %}"}},
            "ConditionExpression": "attribute_not_exists(slotId)",
        },
        "Output": '{% {"slotId": $states.input.booking.slotId, "status": "RESERVED"} %}',
        "TimeoutSeconds": 6,
        "Retry": [{"ErrorEquals": ["States.Timeout", "Lambda.Unknown"], "MaxAttempts": 1}],
        "Next": "Release hold",
    },
}
ASSIGN_DECLINED = (
    ("ReserveSlotFunction", "the state assigns variables (Assign), which the rewrite does not "
     "compose yet", "BookingStateMachine: state 'Reserve slot'"),
)
REPLACED = ("AnnounceBookingFunction", "CheckAgeFunction", "CheckCountryFunction",
            "QueueReminderFunction", "ReleaseHoldFunction")


def declined(plan: Plan) -> tuple[tuple[str, str, str], ...]:
    return tuple((d.function_id, d.reason, d.where) for d in plan.declined)


# ---- a machine that is JSONata as a whole --------------------------------------------------

def test_inherited_jsonata_only_the_assigning_state_is_declined(clinic_plan: Plan) -> None:
    # The machine's QueryLanguage is honoured: every task's Arguments/Output are read, none is
    # taken to keep the whole lambda:invoke result.
    assert declined(clinic_plan) == ASSIGN_DECLINED
    assert clinic_plan.removed_functions == REPLACED


def test_inherited_jsonata_guard_with_catcher(clinic_plan: Plan) -> None:
    assert states_of(clinic_plan, "Check country") == CHECK_COUNTRY


def test_inherited_jsonata_guard_reads_the_arguments(clinic_plan: Plan) -> None:
    # The Choice reads $states.input.patient.age: the event is $states.input.patient.
    assert states_of(clinic_plan, "Check age") == CHECK_AGE


def test_inherited_jsonata_function_arn_task_reads_the_arguments(no_assign_plan: Plan) -> None:
    assert no_assign_plan.declined == ()
    assert states_of(no_assign_plan, "Reserve slot") == RESERVE_SLOT


def test_inherited_jsonata_output_of_the_payload(clinic_plan: Plan) -> None:
    assert states_of(clinic_plan, "Release hold") == RELEASE_HOLD
    assert states_of(clinic_plan, "Announce booking") == ANNOUNCE_BOOKING


def test_inherited_jsonata_new_states_do_not_repeat_the_query_language(
        clinic_plan: Plan) -> None:
    machine = clinic_plan.machine(MACHINE)
    assert machine is not None
    for state_edit in machine.states:
        for state in state_edit.states.values():
            assert "QueryLanguage" not in state


# ---- JSONata states in a JSONPath machine --------------------------------------------------

def test_per_state_jsonata_only_the_assigning_state_is_declined(per_state_plan: Plan) -> None:
    assert declined(per_state_plan) == ASSIGN_DECLINED
    assert per_state_plan.removed_functions == REPLACED


def test_per_state_guard_with_a_catcher_without_output(per_state_plan: Plan) -> None:
    assert states_of(per_state_plan, "Check country") == jsonata_states(CHECK_COUNTRY)


def test_per_state_guard_on_a_function_arn_with_arguments(per_state_plan: Plan) -> None:
    assert states_of(per_state_plan, "Check age") == jsonata_states(CHECK_AGE)


def test_per_state_output_of_the_payload(per_state_plan: Plan) -> None:
    assert states_of(per_state_plan, "Release hold") == jsonata_states(RELEASE_HOLD)


def test_per_state_function_arn_task_without_output(per_state_no_assign_plan: Plan) -> None:
    assert per_state_no_assign_plan.declined == ()
    assert states_of(per_state_no_assign_plan, "Reserve slot") == jsonata_states(RESERVE_SLOT)


@pytest.mark.parametrize("app", ["machine", "per_state"])
def test_a_state_with_assign_is_declined_and_left_as_it_was(
        app: str, clinic_plan: Plan, per_state_plan: Plan, per_state_app: Path) -> None:
    """Assign sets $patientId from the state's input for later states; the rewrite does not
    compose it, so the function stays, with the reason, and so does the state that calls it."""
    plan = clinic_plan if app == "machine" else per_state_plan
    original = json.loads(((CLINIC if app == "machine" else per_state_app)
                           / DEFINITION).read_text())["States"]["Reserve slot"]
    assert declined(plan) == ASSIGN_DECLINED
    assert "Assign" in plan.declined[0].reason
    assert "ReserveSlotFunction" not in plan.removed_functions
    machine = plan.machine(MACHINE)
    assert machine is not None
    assert "Reserve slot" not in [e.state_path[-1] for e in machine.states]
    assert machine.definition["States"]["Reserve slot"] == original
    assert original["Assign"] == {"patientId": "{% $states.input.patient.id %}"}
    assert "ReserveSlotFunction" not in machine.invoke_removed
    assert "ReserveSlotFunctionArn" not in machine.substitutions_removed


def test_auto_writes_simple_transports_in_jsonpath(per_state_plan: Plan) -> None:
    # A JSONPath machine: the integration Task may be JSONPath when it says the same thing.
    assert states_of(per_state_plan, "Announce booking") == {
        "Announce booking": {
            "Type": "Task",
            "Resource": "arn:aws:states:::events:putEvents",
            "Parameters": {"Entries": [{
                "Source": "clinic.booking",
                "DetailType": "AppointmentBooked",
                "Detail": {"slotId.$": "$.slotId"},
                "EventBusName": "${PracticeBus}",
            }]},
            "ResultSelector": {"eventId.$": "$.Entries[0].EventId"},
            "End": True,
        },
    }


def _evaluate(expression: str, state_input: Any) -> Any:
    jsonata = pytest.importorskip("jsonata")
    program = expression.removeprefix("{%").removesuffix("%}")
    bound = f"($states := {json.dumps({'input': state_input})}; {program})"
    return jsonata.Jsonata(bound).evaluate(None)


def _message_body(app: Path) -> str:
    plan = plan_for(app, query_language="jsonata")
    state = states_of(plan, "Queue reminder")["Queue reminder"]
    assert state["Resource"] == "arn:aws:states:::sqs:sendMessage"
    assert state["Output"] == "{% $states.input %}"
    return state["Arguments"]["MessageBody"]


def test_json_dumps_of_an_object_is_its_compact_json(per_state_app: Path,
                                                     _module_cache: None) -> None:
    reminder = {"text": REMINDER_TEXT, "at": "2025-03-04T09:00:00+01:00"}
    body = _evaluate(_message_body(per_state_app), {"reminder": reminder})
    assert json.loads(body) == reminder


def test_json_dumps_of_a_text_is_a_json_string(per_state_app: Path,
                                               _module_cache: None) -> None:
    body = _evaluate(_message_body(per_state_app), {"reminder": REMINDER_TEXT})
    assert body == json.dumps(REMINDER_TEXT)


# json.dumps(event["reminder"]) with a reminder of unknown type: the JSONata expression must
# give Python's text for each JSON type (objects and arrays compactly, where json.dumps puts
# spaces after separators: declared).
JSON_VALUES = [
    pytest.param(REMINDER_TEXT, id="text"),
    pytest.param('Room "2"\\B\n', id="text-with-escapes"),
    pytest.param(42, id="integer"),
    pytest.param(2.5, id="float"),
    pytest.param(True, id="boolean"),
    pytest.param(None, id="null"),
    pytest.param({"text": REMINDER_TEXT, "at": {"day": "2025-03-04", "slots": [9, 10]}},
                 id="object"),
    pytest.param({}, id="empty-object"),
]
ARRAYS = [
    pytest.param(["sms", "email"], id="array"),
    pytest.param([7], id="one-item-array"),
    pytest.param([], id="empty-array"),
    pytest.param([{"at": "09:00"}], id="array-of-objects"),
]


@pytest.mark.parametrize("reminder", JSON_VALUES)
def test_json_dumps_of_a_reference_is_pythons_json_text(reminder: Any, per_state_app: Path,
                                                       _module_cache: None) -> None:
    body = _evaluate(_message_body(per_state_app), {"reminder": reminder})
    assert body == json.dumps(reminder, separators=(",", ":"))
    assert json.loads(body) == json.loads(json.dumps(reminder))


@pytest.mark.parametrize("reminder", ARRAYS)
def test_json_dumps_of_an_array_reference_is_its_json_text(reminder: Any, per_state_app: Path,
                                                          _module_cache: None) -> None:
    body = _evaluate(_message_body(per_state_app), {"reminder": reminder})
    assert body == json.dumps(reminder, separators=(",", ":"))


def test_json_dumps_of_a_reference_in_jsonpath(per_state_plan: Plan) -> None:
    # In JSONPath, MessageBody.$ of a reference would send a text as it is; json.dumps(text)
    # quotes it. States.JsonToString is exact for every JSON type. Output = input (the
    # original's Output {% $states.input %}).
    assert states_of(per_state_plan, "Queue reminder") == {
        "Queue reminder": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "${RemindersQueueUrl}",
                           "MessageBody.$": "States.JsonToString($.reminder)"},
            "ResultPath": None,
            "Next": "Announce booking",
        },
    }


def test_json_dumps_of_a_reference_in_a_jsonata_machine(clinic_plan: Plan) -> None:
    state = copy.deepcopy(states_of(clinic_plan, "Queue reminder")["Queue reminder"])
    body = state["Arguments"].pop("MessageBody")
    assert state == {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage",
        "Arguments": {"QueueUrl": "${RemindersQueueUrl}"},
        "Output": "{% $states.input %}",
        "Next": "Announce booking",
    }
    assert _evaluate(body, {"reminder": REMINDER_TEXT}) == json.dumps(REMINDER_TEXT)
