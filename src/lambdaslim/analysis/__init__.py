"""Handler analysis: libcst → :mod:`~lambdaslim.analysis.ir` summary → handler verdict."""

from lambdaslim.analysis.classify import HandlerVerdict, Reason, classify_handler
from lambdaslim.analysis.handler import analyze_handler_file, summarize_handler
from lambdaslim.analysis.ir import HandlerSummary

__all__ = [
    "HandlerSummary",
    "HandlerVerdict",
    "Reason",
    "analyze_handler_file",
    "classify_handler",
    "summarize_handler",
]
