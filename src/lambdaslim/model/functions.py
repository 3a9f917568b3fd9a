"""Lambda functions as the template (with SAM ``Globals`` applied) declares them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lambdaslim.model.location import Location, Warning
from lambdaslim.model.values import Raw, Value


@dataclass(frozen=True)
class Function:
    """A Lambda function.

    ``code_dir`` and ``source_file`` are absolute paths. ``source_file`` and ``handler_function``
    are set for Python runtimes only (``app.lambda_handler`` -> ``<code_dir>/app.py`` and
    ``lambda_handler``); the function itself may be missing from that file, which a later stage
    reports. ``environment`` maps each variable to its resolved value: the env var -> resource
    link. ``handler_problem`` says why a Python handler cannot be analysed although the rest of
    the application can (its module file does not exist), where the template says so: the
    function is kept with it as the reason.
    """

    logical_id: str
    resource_type: str
    runtime: str | None
    handler: str | None
    code_dir: Path | None
    source_file: Path | None
    handler_function: str | None
    environment: dict[str, Value]
    memory_mb: int | None
    timeout_s: int | None
    location: Location
    name: Value = None
    policies: Raw = None
    role: Raw = None
    events: dict[str, Raw] = field(default_factory=dict)
    handler_problem: Warning | None = None

    @property
    def is_python(self) -> bool:
        return (self.runtime or "").startswith("python")
