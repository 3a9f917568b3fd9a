"""Handler analysis: libcst → :mod:`~lambdaslim.analysis.ir` summary → handler verdict.

The parts that need libcst (:mod:`~lambdaslim.analysis.handler`) load on first use: a process
that only classifies summaries made elsewhere (the main process of a parallel analysis, whose
workers parse) never pays for importing libcst.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lambdaslim.analysis.classify import HandlerVerdict, Reason, classify_handler
from lambdaslim.analysis.ir import HandlerSummary

if TYPE_CHECKING:
    from lambdaslim.analysis.handler import analyze_handler_file, summarize_handler

__all__ = [
    "HandlerSummary",
    "HandlerVerdict",
    "Reason",
    "analyze_handler_file",
    "classify_handler",
    "summarize_handler",
]


def __getattr__(name: str) -> Any:
    if name in ("analyze_handler_file", "summarize_handler"):
        from lambdaslim.analysis import handler

        return getattr(handler, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
