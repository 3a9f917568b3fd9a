"""A progress bar for long runs, on standard error, only when it is a terminal.

Machine-readable output (``--format json|sarif``) goes to standard output and never carries it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Short runs finish before a bar would be readable.
MIN_HANDLERS_FOR_BAR = 50


@contextmanager
def handler_progress(total: int) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``; draws a bar when there is enough work and a terminal to show it."""
    if total < MIN_HANDLERS_FOR_BAR or not sys.stderr.isatty():
        yield lambda _: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("Analysing handlers", total=total)
        yield lambda n: progress.advance(task, n)
