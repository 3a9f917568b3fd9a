"""A single Python handler file (``app.py`` or ``app.py:handle``) analysed on its own."""

from __future__ import annotations

import ast
from pathlib import Path

from lambdaslim.errors import LoadError
from lambdaslim.loading.project import Project
from lambdaslim.model.application import Application
from lambdaslim.model.functions import Function
from lambdaslim.model.location import Location

PREFERRED_HANDLERS = ("handler", "lambda_handler", "main")


def load_handler_file(project: Project, path: Path, function: str | None) -> Application:
    shown = project.display(path)
    source = project.read_text(path)
    try:
        tree = ast.parse(source, filename=shown)
    except SyntaxError as error:
        raise LoadError(f"invalid Python: {error.msg}", shown, error.lineno) from None
    candidates = {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    if function is None:
        function = _find_handler(candidates, shown)
    elif function not in candidates:
        raise LoadError(f"no top-level function {function!r} in this file", shown)
    handler = f"{path.stem}.{function}"
    resolved = path.resolve()
    return Application(
        root=project.root,
        kind="handler",
        template_file=None,
        functions={
            handler: Function(
                logical_id=handler,
                resource_type="handler",
                runtime=None,
                handler=handler,
                code_dir=resolved.parent,
                source_file=resolved,
                handler_function=function,
                environment={},
                memory_mb=None,
                timeout_s=None,
                location=Location(project.relative(path), candidates[function].lineno),
            )
        },
        state_machines={},
        apis={},
        resources={},
    )


def _find_handler(candidates: dict[str, ast.FunctionDef | ast.AsyncFunctionDef], shown: str) -> str:
    """The top-level ``(event, context)`` function, preferring the usual handler names."""
    two_parameters = [
        name
        for name, node in candidates.items()
        if len(node.args.posonlyargs) + len(node.args.args) == 2
    ]
    for name in PREFERRED_HANDLERS:
        if name in two_parameters:
            return name
    if len(two_parameters) == 1:
        return two_parameters[0]
    if not two_parameters:
        raise LoadError("no top-level handler function taking (event, context)", shown)
    raise LoadError(
        f"several possible handlers ({', '.join(two_parameters)}): name one as FILE.py:function",
        shown,
    )
