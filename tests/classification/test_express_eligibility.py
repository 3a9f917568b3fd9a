"""When may a Standard workflow become an Express workflow?"""

from __future__ import annotations

from typing import Any

import pytest
from app_copies import AppCopy

from lambdaslim.express import express_eligibility
from lambdaslim.loading import load_application

DEFINITION = "statemachine/booking.asl.json"


def eligibility(app_copy: AppCopy):  # type: ignore[no-untyped-def]
    app = load_application(app_copy.root)
    return express_eligibility(app, app.state_machines["BookingWorkflow"])


def test_bounded_lambda_workflow_is_eligible_with_its_worst_case(booking: AppCopy) -> None:
    result = eligibility(booking)
    assert result.eligible
    assert result.worst_case_seconds == 20  # two tasks of 10 s each


def test_application_retries_count_in_the_bound(booking: AppCopy) -> None:
    def retry(d: dict[str, Any]) -> None:
        d["States"]["Reserve seat"]["TimeoutSeconds"] = 60
        d["States"]["Reserve seat"]["Retry"] = [
            {"ErrorEquals": ["SeatLocked"], "IntervalSeconds": 5, "MaxAttempts": 4,
             "BackoffRate": 2.0}
        ]

    booking.edit_json(DEFINITION, retry)
    result = eligibility(booking)
    # Function timeout (10 s) bounds the 60 s task timeout: 5 attempts * 10 + 5+10+20+40 + 10.
    assert result.worst_case_seconds == 5 * 10 + 75 + 10
    assert result.eligible


def test_lambda_service_retriers_are_a_risk_not_a_blocker(booking: AppCopy) -> None:
    def service_retry(d: dict[str, Any]) -> None:
        d["States"]["Reserve seat"]["Retry"] = [
            {"ErrorEquals": ["Lambda.ServiceException", "Lambda.TooManyRequestsException"],
             "IntervalSeconds": 10, "MaxAttempts": 6, "BackoffRate": 2.0}
        ]

    booking.edit_json(DEFINITION, service_retry)
    result = eligibility(booking)
    assert result.eligible and result.worst_case_seconds == 20
    assert "service-error retrier" in result.risks[0]


@pytest.mark.parametrize(
    ("state", "why"),
    [
        ({"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
          "Parameters": {"StateMachineArn": "arn:aws:states:eu-west-1:1:stateMachine:x"}},
         ".sync"),
        ({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
          "Parameters": {"FunctionName": "f", "Payload": {"t.$": "$$.Task.Token"}}},
         ".waitForTaskToken"),
        ({"Type": "Task", "Resource": "arn:aws:states:eu-west-1:1:activity:review"},
         "activity"),
    ],
)
def test_standard_only_integrations_block_express(
    booking: AppCopy, state: dict[str, Any], why: str
) -> None:
    def add(d: dict[str, Any]) -> None:
        d["States"]["Reserve seat"]["Next"] = "Extra"
        d["States"]["Extra"] = {**state, "Next": "Tell the client"}

    booking.edit_json(DEFINITION, add)
    result = eligibility(booking)
    assert not result.eligible
    assert "'Extra'" in result.reasons[0] and why in result.reasons[0]


@pytest.mark.parametrize(
    ("extra", "why"),
    [
        ({"Type": "Wait", "SecondsPath": "$.delay"}, "waits for a runtime value"),
        ({"Type": "Wait", "Seconds": 400}, "420 s, over"),
        ({"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
          "Parameters": {"QueueUrl": "q", "MessageBody.$": "$"}}, "has no TimeoutSeconds"),
    ],
)
def test_unbounded_or_long_durations_block_express(
    booking: AppCopy, extra: dict[str, Any], why: str
) -> None:
    def add(d: dict[str, Any]) -> None:
        d["States"]["Reserve seat"]["Next"] = "Extra"
        d["States"]["Extra"] = {**extra, "Next": "Tell the client"}

    booking.edit_json(DEFINITION, add)
    result = eligibility(booking)
    assert not result.eligible
    assert why in result.reasons[0]


def test_a_loop_is_unbounded_unless_the_machine_timeout_bounds_it(booking: AppCopy) -> None:
    def loop(d: dict[str, Any]) -> None:
        d["States"]["Reserve seat"]["Next"] = "Again?"
        d["States"]["Again?"] = {
            "Type": "Choice",
            "Choices": [{"Variable": "$.reservation.status", "StringEquals": "retry",
                         "Next": "Reserve seat"}],
            "Default": "Tell the client",
        }

    booking.edit_json(DEFINITION, loop)
    result = eligibility(booking)
    assert not result.eligible and "loop" in result.reasons[0]

    booking.edit_json(DEFINITION, lambda d: d.__setitem__("TimeoutSeconds", 120))
    bounded = eligibility(booking)
    assert bounded.eligible and "TimeoutSeconds (120 s)" in bounded.reasons[0]


def test_parallel_counts_its_slowest_branch(booking: AppCopy) -> None:
    def parallel(d: dict[str, Any]) -> None:
        d["StartAt"] = "Both"
        reserve = d["States"].pop("Reserve seat")
        reserve.pop("Next")
        reserve["End"] = True
        d["States"]["Both"] = {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Reserve seat", "States": {"Reserve seat": reserve}},
                {"StartAt": "Pause", "States": {"Pause": {"Type": "Wait", "Seconds": 42,
                                                          "End": True}}},
            ],
            "ResultPath": None,
            "Next": "Tell the client",
        }

    booking.edit_json(DEFINITION, parallel)
    assert eligibility(booking).worst_case_seconds == 42 + 10
