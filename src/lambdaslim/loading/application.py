"""``load_application``: the one entry point from a path to the application model."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from lambdaslim.errors import LoadError
from lambdaslim.loading.discovery import discover, is_definition_file
from lambdaslim.loading.handler_file import load_handler_file
from lambdaslim.loading.project import HandlerHook, Project, resolve_strictly
from lambdaslim.loading.state_machines import load_definition_file
from lambdaslim.loading.task_links import find_task_links
from lambdaslim.loading.template import load_template
from lambdaslim.model.application import Application
from lambdaslim.model.location import Warning

HANDLER_SPEC = re.compile(r"^(?P<file>.+\.py):(?P<function>[A-Za-z_]\w*)$")


def load_application(
    path: Path,
    exclude: Sequence[Path] = (),
    *,
    on_handler: HandlerHook | None = None,
    inputs: list[Path] | None = None,
) -> Application:
    """Load a folder, a template, a ``*.asl.json|yaml`` definition, or ``FILE.py[:function]``.

    Every problem with the input raises :class:`~lambdaslim.errors.LoadError`. ``on_handler`` is
    called with each Python handler of a template as soon as it is located
    (``BackgroundSummaries.submit``); ``inputs`` receives every file the loader reads.
    """
    function = None
    spec = HANDLER_SPEC.match(str(path))
    if spec and not path.exists():
        path, function = Path(spec.group("file")), spec.group("function")
    resolved = resolve_strictly(path, str(path))
    if resolved.is_dir():
        project = Project(resolved, str(path), on_handler=on_handler, inputs=inputs)
        kind, file = discover(project, exclude)
    else:
        project = Project(
            resolved.parent, str(path.parent), on_handler=on_handler, inputs=inputs
        )
        file = resolved
        kind = _kind_of_file(file, str(path))
    if kind == "handler":
        return load_handler_file(project, file, function)
    if kind == "definition":
        return _load_definition(project, file)
    return load_template(project, file)


def _kind_of_file(file: Path, shown: str) -> str:
    if file.suffix == ".py":
        return "handler"
    if is_definition_file(file):
        return "definition"
    if file.suffix.lower() in (".yaml", ".yml", ".json", ".template"):
        return "template"
    raise LoadError(
        "expected a template (.yaml/.yml/.json), a state machine definition (.asl.json) "
        "or a Python handler (.py)",
        shown,
    )


def _load_definition(project: Project, file: Path) -> Application:
    warnings: list[Warning] = []
    machine = load_definition_file(project, file, warnings)
    links = find_task_links(machine, None, warnings)
    return Application(
        root=project.root,
        kind="definition",
        template_file=None,
        functions={},
        state_machines={machine.logical_id: machine},
        apis={},
        resources={},
        task_links=links,
        warnings=warnings,
    )
