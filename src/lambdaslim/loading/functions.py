"""Lambda function resources, with SAM ``Globals`` applied and handler sources located."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lambdaslim.errors import LoadError
from lambdaslim.loading.documents import key_line, to_plain
from lambdaslim.loading.references import FUNCTION_TYPES
from lambdaslim.loading.shapes import expect_events, expect_mapping
from lambdaslim.loading.template_file import TemplateFile
from lambdaslim.model.functions import Function
from lambdaslim.model.location import Location, Warning

ARCHIVE_SUFFIXES = frozenset({".zip", ".jar"})


def merge_globals(global_value: Any, own_value: Any) -> Any:
    """SAM's Globals rule: mappings merge, lists concatenate, the resource's scalars win."""
    if isinstance(global_value, Mapping) and isinstance(own_value, Mapping):
        merged = dict(global_value)
        for key, value in own_value.items():
            merged[key] = merge_globals(global_value[key], value) if key in global_value else value
        return merged
    if isinstance(global_value, list) and isinstance(own_value, list):
        return [*global_value, *own_value]
    return own_value


def load_functions(template: TemplateFile) -> dict[str, Function]:
    globals_section = template.document.get("Globals") or {}
    function_globals = expect_mapping(globals_section, "Function", "Globals.Function",
                                      template.shown)
    _check_properties(function_globals, "Globals.Function", template.shown)
    functions = {}
    for logical_id in sorted(template.of_type(FUNCTION_TYPES)):
        functions[logical_id] = _load_function(template, logical_id, function_globals)
    return functions


def _load_function(
    template: TemplateFile, logical_id: str, function_globals: Mapping[str, Any]
) -> Function:
    own = template.properties(logical_id)
    _check_properties(own, f"resource {logical_id}", template.shown)
    resource_type = template.resources[logical_id]["Type"]
    serverless = resource_type == "AWS::Serverless::Function"
    properties = merge_globals(function_globals, own) if serverless else dict(own)

    def where(key: str) -> Mapping[str, Any]:
        """The mapping a merged property was written in (for its line)."""
        return own if key in own or not serverless else function_globals

    runtime = _text(properties.get("Runtime"))
    handler = _text(properties.get("Handler"))
    code_dir = _code_dir(template, logical_id, properties, where)
    source_file, handler_function, handler_problem = None, None, None
    if runtime is not None and runtime.startswith("python") and handler and code_dir:
        located = _python_source(
            template, logical_id, handler, code_dir, key_line(where("Handler"), "Handler")
        )
        if isinstance(located, Warning):
            handler_problem = located
        else:
            source_file, handler_function = located
            project = template.project
            if project.on_handler is not None:
                project.on_handler(source_file, handler_function, project.relative(source_file))
    variables = (properties.get("Environment") or {}).get("Variables") or {}
    references = template.references
    return Function(
        logical_id=logical_id,
        resource_type=resource_type,
        runtime=runtime,
        handler=handler,
        code_dir=code_dir,
        source_file=source_file,
        handler_function=handler_function,
        environment={str(name): references.resolve(value) for name, value in variables.items()},
        memory_mb=_number(properties.get("MemorySize")),
        timeout_s=_number(properties.get("Timeout")),
        location=template.location(logical_id),
        name=references.resolve(properties["FunctionName"])
        if "FunctionName" in properties
        else None,
        policies=to_plain(properties.get("Policies")),
        role=to_plain(properties.get("Role")),
        events=to_plain(properties.get("Events") or {}),
        handler_problem=handler_problem,
    )


def _check_properties(properties: Mapping[str, Any], owner: str, file: str) -> None:
    """The types of the properties read as mappings, in the resource or in ``Globals``.

    Checked where they are written (for the line); merging Globals keeps them: mappings merge
    into mappings, and a value of another type is the resource's own.
    """
    environment = expect_mapping(properties, "Environment", f"Environment of {owner}", file)
    expect_mapping(environment, "Variables", f"Environment.Variables of {owner}", file)
    expect_events(properties, owner, file)


def _code_dir(
    template: TemplateFile,
    logical_id: str,
    properties: Mapping[str, Any],
    where: Callable[[str], Mapping[str, Any]],
) -> Path | None:
    """The local folder holding the function's code, or None (S3, inline code, image)."""
    if "CodeUri" in properties:
        key, value, written_in = "CodeUri", properties["CodeUri"], where("CodeUri")
    elif "InlineCode" in properties or properties.get("PackageType") == "Image":
        return None
    elif template.resources[logical_id]["Type"] == "AWS::Serverless::Function":
        return template.project.resolve(template.path.parent)
    else:
        # CDK: the code is an asset folder beside the synthesized template.
        written_in = expect_mapping(
            template.resources[logical_id], "Metadata", f"Metadata of resource {logical_id}",
            template.shown,
        )
        key, value = "aws:asset:path", written_in.get("aws:asset:path")
    path = template.local_file(value, key, logical_id, written_in, key)
    if path is None or (path.is_file() and path.suffix in ARCHIVE_SUFFIXES):
        return None
    if not path.is_dir():
        raise LoadError(
            f"{logical_id} {key}: {value} is not a folder",
            template.shown,
            key_line(written_in, key),
        )
    return path


def _python_source(
    template: TemplateFile, logical_id: str, handler: str, code_dir: Path, line: int | None
) -> tuple[Path, str] | Warning:
    """``app.lambda_handler`` -> ``(<code_dir>/app.py, lambda_handler)``; also ``pkg/mod.fn``.

    A module file that does not exist is the problem of this function alone (the Warning says
    why it is not analysed): the rest of the application is still analysed.
    """
    module, dot, function = handler.rpartition(".")
    if not dot or not module or not function:
        raise LoadError(
            f"{logical_id} Handler {handler!r} is not MODULE.FUNCTION", template.shown, line
        )
    module_path = module if "/" in module else module.replace(".", "/")
    candidate = code_dir / f"{module_path}.py"
    project = template.project
    try:
        source: Path | None = project.inside(
            candidate, f"{logical_id} Handler {handler}", template.path, line
        )
    except LoadError:
        if not _missing(candidate):
            raise  # a symlink loop, a link leaving the project...
        source = None
    if code_dir not in (source or Path(os.path.normpath(candidate))).parents:
        raise LoadError(
            f"{logical_id} Handler {handler}: {candidate} is outside its CodeUri {code_dir}",
            template.shown,
            line,
        )
    if source is None:
        return Warning(
            f"not analysed: Handler {handler} names {project.relative(candidate)}, "
            "which does not exist",
            Location(template.relative, line),
        )
    return source, function


def _missing(path: Path) -> bool:
    """Nothing at ``path`` (a dangling link or a loop on the way is another problem)."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str) else None


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
