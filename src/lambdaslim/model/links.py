"""References from state machine tasks to Lambda functions."""

from __future__ import annotations

from dataclasses import dataclass

from lambdaslim.model.location import Location
from lambdaslim.model.state_machines import StatePath

TASK_FORMS = frozenset({"arn", "invoke", "invoke_async", "wait_for_task_token"})


@dataclass(frozen=True)
class TaskLink:
    """A Task state that invokes a Lambda function.

    ``form``: ``arn`` (the function ARN is the ``Resource``), ``invoke``
    (``arn:aws:states:::lambda:invoke`` with ``FunctionName``), ``invoke_async`` (the same with
    ``InvocationType: Event``) or ``wait_for_task_token`` (``lambda:invoke.waitForTaskToken``).
    ``function_ref`` is the resolved ARN or name as it appears in the definition; ``function_id``
    is the function's logical id, None when the function is not part of the application.
    """

    state_machine_id: str
    state_path: StatePath
    function_id: str | None
    function_ref: str
    form: str
    location: Location
