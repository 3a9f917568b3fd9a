"""``lambdaslim verify ORIGINAL OPTIMIZED``: run both applications on every case and compare.

For each case (default: ORIGINAL's ``cases/``), the original and the optimized workflow run on
the same input, each in a fresh emulated world seeded with the case's fixtures
(:func:`~lambdaslim.verify.run_case`); :func:`~lambdaslim.verify.compare.compare_runs` compares
them, tolerating what the optimized application's plan declared; the API routes the plan
rewired for that workflow are checked on the case (:mod:`lambdaslim.verify.api_entry`).

Which workflow a case runs: the one its ``"state_machine"`` names, else the application's only
one; the optimized application must have a machine with the same logical id. Every case is
resolved before anything runs, so bad input stops at once.
"""

from __future__ import annotations

import gc
import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from lambdaslim.errors import LambdaslimError
from lambdaslim.loading import load_application
from lambdaslim.model import Application
from lambdaslim.verify.api_entry import check_route
from lambdaslim.verify.cases import Case, load_cases
from lambdaslim.verify.compare import compare_runs, table_keys_of
from lambdaslim.verify.plan_file import PlanFacts, read_plan
from lambdaslim.verify.report_table import CaseResult, render_json, render_text
from lambdaslim.verify.runner import run_case

EXIT_EQUIVALENT = 0
EXIT_DIVERGES = 1


def run_verify(
    original: Path,
    optimized: Path,
    cases_dir: Path | None,
    output_format: str,
    echo: Callable[[str], Any],
) -> int:
    """Verify, print the report with ``echo`` and return the exit code: 0 when every case is
    equivalent, 1 when one diverges. Bad input (an application, plan or case that cannot be
    read, a case naming no machine of both apps) raises :class:`LambdaslimError` naming the
    file, which the command line reports with exit code 2."""
    original_app = load_application(original)
    optimized_app = load_application(optimized)
    plan = read_plan(optimized_app.root)
    cases = load_cases(cases_dir if cases_dir is not None else original_app.root / "cases")
    results = verify_cases(original_app, optimized_app, plan, cases)
    if output_format == "json":
        echo(render_json(results).rstrip("\n"))
    else:
        buffer = io.StringIO()
        width = max(100, shutil.get_terminal_size((120, 24)).columns)
        render_text(results, Console(file=buffer, width=width))
        echo(buffer.getvalue().rstrip("\n"))
    return EXIT_EQUIVALENT if all(result.equivalent for result in results) else EXIT_DIVERGES


def verify_cases(original: Application, optimized: Application, plan: PlanFacts,
                 cases: list[Case]) -> list[CaseResult]:
    """Every case run on both applications, in order (each case's machine is checked first)."""
    machines = [machine_for(case, original, optimized) for case in cases]
    results = []
    for case, machine in zip(cases, machines, strict=True):
        results.append(verify_case(original, optimized, plan, case, machine))
        # The case's two emulated worlds are garbage now, full of reference cycles, and the
        # console script makes full collections rare (cli.tune_garbage_collector).
        gc.collect()
    return results


def machine_for(case: Case, original: Application, optimized: Application) -> str:
    """The logical id of the state machine ``case`` runs, present in both applications."""
    machines = sorted(original.state_machines)
    if case.state_machine is not None:
        machine = case.state_machine
        if machine not in original.state_machines:
            raise LambdaslimError(
                f"case {case.name}: no state machine {machine} in the original application "
                f"(there are: {', '.join(machines) or 'none'})",
                case.path,
            )
    elif len(machines) == 1:
        machine = machines[0]
    else:
        raise LambdaslimError(
            f"case {case.name}: the original application has {len(machines)} state machines "
            f'({", ".join(machines) or "none"}): name one with "state_machine"',
            case.path,
        )
    if machine not in optimized.state_machines:
        raise LambdaslimError(
            f"the optimized application has no state machine {machine} (case {case.name})",
            optimized.template_file or optimized.root,
        )
    return machine


def verify_case(
    original: Application, optimized: Application, plan: PlanFacts, case: Case, machine: str
) -> CaseResult:
    """Run one case on both applications and compare the runs (and the API entry)."""
    before = run_case(original, machine, case)
    after = run_case(optimized, machine, case)
    keys = {**table_keys_of(optimized.tables), **table_keys_of(original.tables)}
    comparison = compare_runs(before, after, plan.declared(machine), keys)
    checks = [check_route(edit, optimized, case, after) for edit in plan.routes_for(machine)]
    for check in checks:
        comparison.differences += check.differences
    return CaseResult(case.name, machine, before, after, comparison, checks)
