"""Command line: parses arguments, calls the pipeline, renders. Nothing else lives here.

Heavy machinery (moto, the verify engine, cfn-lint) is imported inside the commands that need it,
so ``lambdaslim --help`` and ``analyze`` stay quick to start.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from lambdaslim import __version__
from lambdaslim.errors import LambdaslimError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def reports_errors(command: F) -> F:
    """Turn the project's own errors into one message and exit 2; Ctrl-C into one line."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except LambdaslimError as exc:
            click.echo(f"lambdaslim: error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except KeyboardInterrupt:
            click.echo("lambdaslim: interrupted, nothing written", err=True)
            sys.exit(EXIT_INTERRUPTED)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lambdaslim")
def main() -> None:
    """Find Lambda functions that only transport data and replace them with direct integrations."""


@main.command()
@click.argument("path", required=False, default=".", type=click.Path(path_type=str))
@reports_errors
def analyze(path: str) -> None:
    """Classify every Lambda function of the application at PATH (default: current folder)."""
    raise LambdaslimError("analyze is not implemented yet")


@main.command()
@click.argument("path", required=False, default=".", type=click.Path(path_type=str))
@click.option("--out", "out", type=click.Path(path_type=str), help="Folder to write into.")
@reports_errors
def rewrite(path: str, out: str | None) -> None:
    """Write a copy of the application at PATH with the replaceable functions replaced."""
    raise LambdaslimError("rewrite is not implemented yet")


@main.command()
@click.argument("original", type=click.Path(path_type=str))
@click.argument("optimized", type=click.Path(path_type=str))
@reports_errors
def verify(original: str, optimized: str) -> None:
    """Run ORIGINAL and OPTIMIZED side by side in an emulated AWS and compare them."""
    raise LambdaslimError("verify is not implemented yet")


@main.command()
@click.argument("rule_id", required=False)
@click.option("--rules", "rules_dirs", multiple=True, type=click.Path(path_type=Path),
              help="A folder of your own rules added to the catalog (repeatable).")
@reports_errors
def rules(rule_id: str | None, rules_dirs: tuple[Path, ...]) -> None:
    """List the integration rules, or show RULE_ID's documentation."""
    from rich.console import Console

    from lambdaslim.catalog import load_catalog
    from lambdaslim.rule_docs import render_rule, render_rule_list

    catalog = load_catalog(rules_dirs)
    console = Console()
    if rule_id is None:
        render_rule_list(catalog, console)
    else:
        render_rule(catalog.rule(rule_id.upper()), console)
