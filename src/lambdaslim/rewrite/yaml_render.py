"""Render plain Python values as YAML text in the style of an existing CloudFormation template.

The template editor splices this text into the original document, so it must read like the
surrounding lines: the document's indentation step and sequence indentation, its preferred quote
character, CloudFormation short tags (``!Ref X``, ``!GetAtt X.Arn``, ``!Sub '...'``) where the
document uses them, strings quoted only when YAML needs it and multi-line strings as literal
blocks. Every rendering must read back (YAML 1.1 *and* 1.2 resolvers) as exactly the value given.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

#: Long-form intrinsic name -> short tag (without ``!``) for every intrinsic that has one.
SHORT_TAGS: dict[str, str] = {
    "Ref": "Ref",
    "Condition": "Condition",
    **{
        f"Fn::{name}": name
        for name in (
            "And", "Base64", "Cidr", "Equals", "FindInMap", "GetAZs", "GetAtt", "If",
            "ImportValue", "Join", "Length", "Not", "Or", "Select", "Split", "Sub",
            "ToJsonString", "Transform",
        )
    },
}

#: How wide (from column 0) an intrinsic's flow-style argument list may grow before it is
#: rendered as a block sequence instead.
FLOW_WIDTH = 90

# Strings that a YAML 1.1 or 1.2 resolver reads as something other than a string when plain.
_TYPED = re.compile(
    r"""(?x)
    ~ | null | Null | NULL
    | [yY] | yes | Yes | YES | [nN] | no | No | NO | true | True | TRUE | false | False | FALSE
    | on | On | ON | off | Off | OFF
    | [-+]? [0-9] [0-9_,]* (?: \.[0-9_]* )? (?: [eE] [-+]? [0-9]+ )?
    | [-+]? \. [0-9] [0-9_]* (?: [eE] [-+]? [0-9]+ )?
    | [-+]? 0b [01_]+ | [-+]? 0o [0-7_]+ | [-+]? 0x [0-9a-fA-F_]+
    | [-+]? [0-9] [0-9_]* (?: : [0-5]?[0-9] )+ (?: \.[0-9_]* )?
    | [-+]? \. (?: inf | Inf | INF ) | \. (?: nan | NaN | NAN )
    | [0-9]{4} - [0-9]{1,2} - [0-9]{1,2} (?: (?: [Tt] | [ \t]+ ) .* )?
    | << | =
    """
)
_INDICATORS = frozenset("!&*[]{}|>'\"%@`#,")
_FLOW_INDICATORS = frozenset(",[]{}")
_BREAKS = frozenset("\n\r\x85\u2028\u2029")


@dataclass(frozen=True)
class YamlStyle:
    """The formatting conventions of one YAML document (see ``TemplateEditor`` for detection)."""

    step: int = 2
    #: Column of a block sequence's ``-`` relative to the key that owns it (0: not indented).
    seq_offset: int = 2
    quote: str = "'"
    short_tags: bool = True
    getatt_dotted: bool = True
    #: Quote ``!Sub`` strings even when YAML would not need it (``!Sub '${X}-y'``).
    quote_sub: bool = False


def intrinsic(value: Any) -> tuple[str, Any] | None:
    """``(long name, argument)`` when ``value`` is a long-form intrinsic with a short tag."""
    if isinstance(value, dict) and len(value) == 1:
        name, arg = next(iter(value.items()))
        # a tagged scalar reads back as a string: `{"Ref": 5}` has no short form; and YAML 1.1
        # readers (cfn-lint, SAM CLI) only take `!GetAtt` with a string or a list
        allowed: dict[str, tuple[type, ...]] = {"Condition": (str,), "Fn::GetAtt": (str, list)}
        if name in SHORT_TAGS and isinstance(arg, allowed.get(name, (str, list, dict))):
            return name, arg
    return None


def render_yaml_value(value: Any, indent: int, style: YamlStyle = YamlStyle()) -> str:
    """The text that follows ``key:`` for a key at column ``indent`` (leading space or newline).

    >>> render_yaml_value({"Ref": "Table"}, 4)
    ' !Ref Table'
    """
    return _after(value, indent, style, in_item=False)


def render_yaml_item(value: Any, dash_col: int, style: YamlStyle) -> str:
    """The text that follows the ``-`` of a block sequence item at column ``dash_col``."""
    return _after(value, dash_col, style, in_item=True)


def render_yaml_entry(
    key: Any, value: Any, col: int, style: YamlStyle, *, flow_list: bool = False
) -> str:
    """A whole mapping entry ``key: value`` at column ``col`` (no trailing newline).

    ``flow_list``: the entry is a long-form intrinsic, whose argument list of scalars reads best
    in flow style (``Fn::GetAtt: [Queue, Arn]``).
    """
    key_text = render_scalar(key, style, flow=False)
    return " " * col + key_text + ":" + _after(value, col, style, False, flow_list)


def render_flow(value: Any, style: YamlStyle) -> str | None:
    """A one-line flow rendering of ``value``, or None when it has no faithful one."""
    if isinstance(value, dict):
        found = intrinsic(value) if style.short_tags else None
        if found is not None:
            return _flow_tagged(found, style)
        parts = []
        for key, item in value.items():
            text = render_flow(item, style)
            if text is None or isinstance(key, (dict, list)):
                return None
            parts.append(f"{render_scalar(key, style, flow=True)}: {text}")
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, list):
        items = [render_flow(item, style) for item in value]
        if any(text is None for text in items):
            return None
        return "[" + ", ".join(text for text in items if text is not None) + "]"
    return render_scalar(value, style, flow=True)


def render_scalar(value: Any, style: YamlStyle, *, flow: bool, sub: bool = False) -> str:
    """A scalar on one line: plain when YAML allows it, else quoted (``sub``: a ``!Sub`` string)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if not isinstance(value, str):
        raise TypeError(f"cannot render {type(value).__name__} as YAML")
    if not (sub and style.quote_sub) and _plain_ok(value, flow):
        return value
    if style.quote == "'" and all(_printable(c) and c not in _BREAKS | {"\t"} for c in value):
        return "'" + value.replace("'", "''") + "'"
    return _double(value)


def _after(value: Any, col: int, style: YamlStyle, in_item: bool, flow_list: bool = False) -> str:
    child = col + 2 if in_item else col + style.step
    if isinstance(value, str) and _literal_ok(value):
        return " " + _literal(value, child)
    if isinstance(value, dict):
        found = intrinsic(value)
        if found is not None and style.short_tags and intrinsic(found[1]) is None:
            return _after_tagged(found, col, child, style, in_item)
        if not value:
            return " {}"
        lines = "\n".join(
            render_yaml_entry(k, v, child, style, flow_list=found is not None)
            for k, v in value.items()
        )
        return _attach(lines, child, in_item)
    if isinstance(value, list):
        if not value:
            return " []"
        flow = _flow_or_none(value, col, style) if flow_list else None
        if flow is not None:
            return " " + flow
        dash = child if in_item else col + style.seq_offset
        return _attach(_block_seq(value, dash, style), dash, in_item)
    return " " + render_scalar(value, style, flow=False)


def _after_tagged(
    found: tuple[str, Any], col: int, child: int, style: YamlStyle, in_item: bool
) -> str:
    name, arg = found
    tag = "!" + SHORT_TAGS[name]
    if name == "Fn::GetAtt" and style.getatt_dotted and _dotted(arg):
        return f" {tag} {arg[0]}.{arg[1]}"
    if isinstance(arg, str) and _literal_ok(arg):
        return f" {tag} " + _literal(arg, child)
    if isinstance(arg, list) and arg:
        flow = _flow_or_none(arg, col, style)
        if flow is not None:
            return f" {tag} {flow}"
        dash = child if in_item or not style.seq_offset else col + style.seq_offset
        return f" {tag}\n" + _block_seq(arg, dash, style)
    if isinstance(arg, dict) and arg:
        entries = (render_yaml_entry(k, v, child, style) for k, v in arg.items())
        return f" {tag}\n" + "\n".join(entries)
    if isinstance(arg, (dict, list)):
        return f" {tag} {'{}' if isinstance(arg, dict) else '[]'}"
    return f" {tag} " + render_scalar(arg, style, flow=False, sub=name == "Fn::Sub")


def _flow_or_none(value: list[Any], col: int, style: YamlStyle) -> str | None:
    """A flow list when every item is a scalar or a flowable intrinsic and it fits the width."""
    if any(isinstance(item, dict) and intrinsic(item) is None for item in value):
        return None
    text = render_flow(value, style)
    if text is None or col + len(text) > FLOW_WIDTH:
        return None
    return text


def _flow_tagged(found: tuple[str, Any], style: YamlStyle) -> str | None:
    name, arg = found
    tag = "!" + SHORT_TAGS[name]
    if name == "Fn::GetAtt" and style.getatt_dotted and _dotted(arg):
        return f"{tag} {arg[0]}.{arg[1]}"
    if intrinsic(arg) is not None:
        return None  # a node carries one tag: `!Base64 !Sub x` is not YAML
    if isinstance(arg, (dict, list)):
        text = render_flow(arg, style)
        return None if text is None else f"{tag} {text}"
    return f"{tag} " + render_scalar(arg, style, flow=True, sub=name == "Fn::Sub")


def _block_seq(items: list[Any], dash: int, style: YamlStyle) -> str:
    return "\n".join(" " * dash + "-" + _after(item, dash, style, True) for item in items)


def _attach(lines: str, child: int, in_item: bool) -> str:
    """Block content after ``key:`` starts on the next line; after ``-`` it shares the line."""
    return " " + lines[child:] if in_item else "\n" + lines


def _dotted(arg: Any) -> bool:
    return (
        isinstance(arg, list)
        and len(arg) == 2
        and all(isinstance(part, str) and part for part in arg)
        and "." not in arg[0]
        and _plain_ok(f"{arg[0]}.{arg[1]}", flow=True)
    )


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "." not in text:  # YAML 1.1 needs a dot in the mantissa: 1e-05 -> 1.0e-05
        mantissa, _, exponent = text.partition("e")
        text = f"{mantissa}.0" + (f"e{exponent}" if exponent else "")
    return text


def _printable(char: str) -> bool:
    code = ord(char)
    return (
        char in "\t\n"
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
        or 0x10000 <= code <= 0x10FFFF
    )


def _plain_ok(text: str, flow: bool) -> bool:
    if not text or text[0] in _INDICATORS or text[0].isspace() or text[-1].isspace():
        return False
    if text[0] in "-?:" and (len(text) == 1 or text[1] in " \t" or text[1] in _FLOW_INDICATORS):
        return False
    if flow and text[0] in "?:":  # YAML 1.1 reads these as a key or value indicator
        return False
    if text.startswith(("---", "...")) or ": " in text or " #" in text or text.endswith(":"):
        return False
    if any(c in _BREAKS or c == "\t" or not _printable(c) for c in text):
        return False
    if flow and any(c in _FLOW_INDICATORS for c in text):
        return False
    return not _TYPED.fullmatch(text)


def _literal_ok(text: str) -> bool:
    """Whether a literal block scalar (``|``/``|-``) reads back as exactly ``text``."""
    body = text[:-1] if text.endswith("\n") else text
    if "\n" not in text or body.endswith("\n") or not body.strip():
        return False
    if any(c in _BREAKS - {"\n"} or not _printable(c) for c in text):
        return False
    lines = body.split("\n")
    first = next(i for i, line in enumerate(lines) if line.strip())
    if any(lines[:first]) or lines[first][0].isspace():
        return False
    return bool(lines[-1].strip())


def _literal(text: str, child: int) -> str:
    body = text[:-1] if text.endswith("\n") else text
    indicator = "|" if text.endswith("\n") else "|-"
    lines = [(" " * child + line) if line else "" for line in body.split("\n")]
    return indicator + "\n" + "\n".join(lines)


def _double(text: str) -> str:
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif _printable(char) and char not in _BREAKS:
            out.append(char)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'
