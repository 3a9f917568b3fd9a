"""Command line: parses arguments, calls the pipeline, renders. Nothing else lives here.

Heavy machinery (moto, the verify engine, cfn-lint) is imported inside the commands that need it,
so ``lambdaslim --help`` and ``analyze`` stay quick to start.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from lambdaslim import __version__
from lambdaslim.errors import LambdaslimError

if TYPE_CHECKING:
    from lambdaslim.catalog import Catalog

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CHECK_FAILED = 1
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
@click.option("--format", "output_format",
              type=click.Choice(["text", "json", "sarif", "markdown"]), default="text",
              show_default=True, help="Output format (sarif: for GitHub code scanning).")
@click.option("--all", "include_kept", is_flag=True,
              help="SARIF: also report kept functions, as note-level results.")
@click.option("--fail-on", type=click.Choice(["replace"]), default=None,
              help="Exit 1 when some function is replaceable (for CI gating).")
@click.option("--rules", "rules_dirs", multiple=True, type=click.Path(path_type=Path),
              help="A folder of your own rules added to the catalog (repeatable).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes that parse handlers (default: the number of CPUs).")
@click.option("--no-cache", is_flag=True,
              help="Do not read or write the summary cache ($XDG_CACHE_HOME/lambdaslim).")
@reports_errors
def analyze(
    path: str,
    output_format: str,
    include_kept: bool,
    fail_on: str | None,
    rules_dirs: tuple[Path, ...],
    jobs: int | None,
    no_cache: bool,
) -> None:
    """Classify every Lambda function of the application at PATH (default: current folder).

    PATH is a folder with a SAM/CloudFormation template (or CDK cdk.out), a template file, a
    state machine definition (*.asl.json|yaml), or a Python handler FILE.py[:function].
    """
    from lambdaslim.catalog_files import catalog_digest

    digest = catalog_digest(rules_dirs)
    run_cache = None
    if not no_cache and output_format != "text":  # text depends on the terminal
        from lambdaslim.loading.run_cache import RunCache

        # SARIF and Markdown locations are relative to the current folder: part of the key.
        options = {"format": output_format, "all": include_kept, "fail_on": fail_on,
                   "cwd": os.getcwd()}
        run_cache = RunCache.default(path, digest, options)
        cached = run_cache.lookup()
        if cached is not None:
            click.echo(cached.output, nl=False)
            if cached.exit_code:
                sys.exit(cached.exit_code)
            return

    from lambdaslim.handler_summaries import SummaryCache, summaries_in_background

    jobs = jobs or os.cpu_count() or 1
    cache = None if no_cache else SummaryCache.default(digest)
    inputs: list[Path] = []
    with summaries_in_background(jobs, cache) as background:  # workers fork now, small
        # A worker loads the catalog while this process reads the template: the workers have
        # no handler to parse before the template is read.
        catalog_loaded = background.call("lambdaslim.catalog:load_catalog", rules_dirs)
        # Imported and loaded after the fork (the workers need none of it); the application
        # hands the workers their handlers as soon as it locates them.
        from lambdaslim.loading import load_application

        app = load_application(Path(path), on_handler=background.submit, inputs=inputs)
        fingerprints = None
        if run_cache is not None:  # now, while the workers parse, not after the analysis
            handlers = [f.source_file for f in app.functions.values() if f.source_file]
            fingerprints = run_cache.fingerprints([*inputs, *handlers])
        from lambdaslim.classification import analyze_application, handlers_to_summarise
        from lambdaslim.pipeline import plan_analysis
        from lambdaslim.progress import handler_progress
        from lambdaslim.rewrite.machine_builds import StatesBuiltAhead

        catalog: Catalog = catalog_loaded()
        ahead = StatesBuiltAhead(app, catalog)  # each machine once its verdicts are in
        with handler_progress(handlers_to_summarise(app)) as advance:
            analysis = analyze_application(app, catalog, jobs=jobs, cache=cache, advance=advance,
                                           on_verdict=ahead.add)
    analysis, _ = plan_analysis(analysis, catalog, ahead)
    if output_format == "json":
        from lambdaslim.output.analysis_json import render_json

        output = render_json(analysis, path)
    elif output_format == "sarif":
        from lambdaslim.output.sarif import render_sarif

        output = render_sarif(analysis, catalog, _shown_root(path, app.root),
                              include_kept=include_kept)
    elif output_format == "markdown":
        from lambdaslim.output.analysis_markdown import render_markdown

        output = render_markdown(analysis, catalog, _shown_root(path, app.root))
    else:
        from rich.console import Console

        from lambdaslim.output.analysis_text import render_text

        render_text(analysis, Console())
        output = None
    if output is not None:
        click.echo(output, nl=False)
    code = EXIT_CHECK_FAILED if fail_on == "replace" and any(
        f.replaced for f in analysis.functions) else 0
    if run_cache is not None and output is not None:
        run_cache.store(fingerprints, output, code)
    if code:
        sys.exit(code)



def _shown_root(path: str, root: Path) -> str:
    """The application root as the user named it, relative to the current folder when it can
    be: SARIF and Markdown locations are read from the repository root."""
    given = Path(path)
    shown = given if given.resolve() == root.resolve() else given.parent
    if shown.is_absolute():
        try:
            return shown.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
        except ValueError:
            return shown.as_posix()
    return shown.as_posix()


def _function_ids(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> set[str] | None:
    return None if value is None else {part.strip() for part in value.split(",") if part.strip()}


@main.command()
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder to write the optimized application into (empty or absent).")
@click.option("--diff", is_flag=True,
              help="Print the changes as a unified diff (with --out: also write).")
@click.option("--force", is_flag=True, help="Replace a non-empty --out folder.")
@click.option("--only", callback=_function_ids, metavar="ID,...",
              help="Replace only these functions.")
@click.option("--skip", callback=_function_ids, metavar="ID,...", help="Keep these functions.")
@click.option("--query-language", type=click.Choice(["auto", "jsonpath", "jsonata"]),
              default="auto", show_default=True, help="Query language of the new states.")
@click.option("--rules", "rules_dirs", multiple=True, type=click.Path(path_type=Path),
              help="A folder of your own rules added to the catalog (repeatable).")
@click.option("--report", type=click.Path(path_type=Path, dir_okay=False), default=None,
              metavar="FILE.md", help="Write the review material (Markdown) to FILE.md.")
@click.option("--verify", "verify_output", is_flag=True,
              help="With --out and --report: verify the output on the original's cases and "
                   "put the result (and the measured counts) in the report.")
@click.option("--prices", type=click.Path(path_type=Path, dir_okay=False), default=None,
              metavar="FILE.json", help="Prices and latency parameters overriding the packaged "
                                        "ones, for the report's cost model.")
@reports_errors
def rewrite(
    path: Path,
    out: Path | None,
    diff: bool,
    force: bool,
    only: set[str] | None,
    skip: set[str] | None,
    query_language: str,
    rules_dirs: tuple[Path, ...],
    report: Path | None,
    verify_output: bool,
    prices: Path | None,
) -> None:
    """Write a copy of the application at PATH with the replaceable functions replaced."""
    from lambdaslim.rewrite.command import run_rewrite

    code = run_rewrite(path, out, diff=diff, force=force, only=only, skip=skip or set(),
                       query_language=query_language, echo=click.echo, rules_dirs=rules_dirs,
                       report=report, verify=verify_output, prices=prices)
    if code:
        sys.exit(code)


@main.command()
@click.argument("original", type=click.Path(path_type=Path))
@click.argument("optimized", type=click.Path(path_type=Path))
@click.option("--cases", "cases_dir", type=click.Path(path_type=Path), default=None,
              help="Folder of case files (default: ORIGINAL/cases).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@reports_errors
def verify(original: Path, optimized: Path, cases_dir: Path | None, output_format: str) -> None:
    """Run ORIGINAL and OPTIMIZED side by side in an emulated AWS and compare them.

    Exit 0 when every case is equivalent, 1 when one diverges, 2 on bad input.
    """
    from lambdaslim.verify.command import run_verify

    sys.exit(run_verify(original, optimized, cases_dir, output_format, click.echo))


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


def tune_garbage_collector() -> None:
    """Make the cyclic garbage collector's passes rare, for one run over a large application.

    A run builds large, long-lived, acyclic data (parsed templates, the model, handler
    summaries); with the default thresholds the collector's repeated passes over it cost about
    40 % of loading a 30,000-line template. Reference counting frees all of it anyway. What
    the imports created so far is frozen: never scanned again.
    """
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


def run() -> None:
    """The ``lambdaslim`` console script: :func:`main` with :func:`tune_garbage_collector`
    (not in :func:`main` itself, which tests call many times in one process).

    What the run leaves alive is frozen at the end too: the interpreter's last collection, at
    exit, would walk all of it (caches holding the application model) only to free nothing,
    about 0.1 s after a 2,000-function analysis."""
    tune_garbage_collector()
    try:
        main()
    finally:
        gc.freeze()
