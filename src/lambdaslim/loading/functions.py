"""Lambda function resources, with SAM ``Globals`` applied and handler sources located."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lambdaslim.errors import LoadError
from lambdaslim.loading.documents import key_line, to_plain
from lambdaslim.loading.references import FUNCTION_TYPES
from lambdaslim.loading.template_file import TemplateFile
from lambdaslim.model.functions import Function

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
    function_globals = globals_section.get("Function") or {}
    functions = {}
    for logical_id in sorted(template.of_type(FUNCTION_TYPES)):
        functions[logical_id] = _load_function(template, logical_id, function_globals)
    return functions


def _load_function(
    template: TemplateFile, logical_id: str, function_globals: Mapping[str, Any]
) -> Function:
    own = template.properties(logical_id)
    resource_type = template.resources[logical_id]["Type"]
    serverless = resource_type == "AWS::Serverless::Function"
    properties = merge_globals(function_globals, own) if serverless else dict(own)

    def where(key: str) -> Mapping[str, Any]:
        """The mapping a merged property was written in (for its line)."""
        return own if key in own or not serverless else function_globals

    runtime = _text(properties.get("Runtime"))
    handler = _text(properties.get("Handler"))
    code_dir = _code_dir(template, logical_id, properties, where)
    source_file, handler_function = None, None
    if runtime is not None and runtime.startswith("python") and handler and code_dir:
        source_file, handler_function = _python_source(
            template, logical_id, handler, code_dir, key_line(where("Handler"), "Handler")
        )
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
    )


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
        written_in = template.resources[logical_id].get("Metadata") or {}
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
) -> tuple[Path, str]:
    """``app.lambda_handler`` -> ``(<code_dir>/app.py, lambda_handler)``; also ``pkg/mod.fn``."""
    module, dot, function = handler.rpartition(".")
    if not dot or not module or not function:
        raise LoadError(
            f"{logical_id} Handler {handler!r} is not MODULE.FUNCTION", template.shown, line
        )
    module_path = module if "/" in module else module.replace(".", "/")
    candidate = code_dir / f"{module_path}.py"
    source = template.project.inside(
        candidate, f"{logical_id} Handler {handler}", template.path, line
    )
    if code_dir not in source.parents:
        raise LoadError(
            f"{logical_id} Handler {handler}: {candidate} is outside its CodeUri {code_dir}",
            template.shown,
            line,
        )
    return source, function


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
