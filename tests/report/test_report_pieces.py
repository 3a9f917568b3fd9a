"""The report's building blocks: the critical path, Mermaid text, Markdown filters."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lambdaslim.loading.state_graph import DefinitionSource, build_state_graph
from lambdaslim.report.critical_path import critical_path
from lambdaslim.report.markdown import cell, code, fence
from lambdaslim.report.mermaid import state_diagram

DEFINITION = {
    "StartAt": "Checks",
    "States": {
        "Checks": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "A", "States": {
                    "A": {"Type": "Task", "Resource": "x", "Next": "B",
                          "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Oops"}]},
                    "B": {"Type": "Task", "Resource": "x", "End": True},
                    "Oops": {"Type": "Task", "Resource": "x", "Next": "Failed"},
                    "Failed": {"Type": "Fail"},
                }},
                {"StartAt": "C", "States": {"C": {"Type": "Task", "Resource": "x", "End": True}}},
            ],
            "Next": "D",
        },
        "D": {"Type": "Task", "Resource": "x", "End": True},
    },
}
LAMBDAS = {("Checks", 0, "A"): "FnA", ("Checks", 0, "B"): "FnB", ("Checks", 0, "Oops"): "FnOops",
           ("Checks", 1, "C"): "FnC", ("D",): "FnD"}


@pytest.fixture
def graph():
    return build_state_graph(DEFINITION, DefinitionSource("t", "t", lambda _: None), [])


def test_a_parallel_counts_its_slowest_branch_and_error_paths_are_left_out(graph) -> None:
    hops = critical_path(graph, ("Checks",), lambda p: 1.0 if p in LAMBDAS else 0.0,
                         LAMBDAS.get)
    assert hops.functions == ("FnA", "FnB", "FnD")
    assert hops.cost == 3


def test_the_state_diagram_nests_branches_and_marks_states(graph) -> None:
    text = state_diagram(graph, ("Checks",), {("D",): "replaced"}, {("D",): "FnD"})
    assert 'subgraph s0 ["Checks<br/><i>Parallel</i>"]' in text
    assert 'subgraph s0_0 ["branch 0"]' in text and 'subgraph s0_1 ["branch 1"]' in text
    assert "  s0 --> s1\n" in text and "-.->|catch|" in text
    assert 's1["D<br/><i>Task</i><br/>λ FnD"]' in text
    assert "class s1 replaced" in text
    assert text == state_diagram(graph, ("Checks",), {("D",): "replaced"}, {("D",): "FnD"})


def test_markdown_filters_keep_text_intact() -> None:
    assert cell("a | b\nc") == "a \\| b c"
    assert code("x`y") == "``x`y``"
    assert fence("```python\nx\n```", "md") == "````md\n```python\nx\n```\n````"


@pytest.mark.parametrize("output_format", ["sarif", "markdown"])
def test_analyze_formats_import_no_heavy_machinery(output_format: str) -> None:
    handler = Path(__file__).parents[1] / "fixtures" / "apps" / "lone_handler" / "forward_event.py"
    code_text = (
        "import sys\n"
        "from lambdaslim.cli import main\n"
        "try:\n"
        f"    main(['analyze', {str(handler)!r}, '--format', {output_format!r}, '--no-cache'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'moto', 'cfnlint', "
        "'jsonata', 'airspeed'} or m.startswith('lambdaslim.verify'))\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code_text], capture_output=True, text=True,
                         check=True)
    assert out.stdout.splitlines()[-1] == "HEAVY="
