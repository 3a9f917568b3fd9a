"""Rule documentation: the ``lambdaslim rules`` table, one rule's page, and its Markdown.

The page is written once, as Markdown (``rule_markdown``), and the terminal renders that same
text with rich, so the CLI, reports and SARIF help never disagree.
"""

from __future__ import annotations

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from lambdaslim.catalog import WILDCARD, Catalog, Rule

CODE_THEME = "monokai"
STATES_ARN_PREFIX = "arn:aws:states:::"


def render_rule_list(catalog: Catalog, console: Console) -> None:
    """All rules, one per row, like ``ruff rule --all`` condensed into a table."""
    table = Table(title="lambdaslim rules", title_justify="left", header_style="bold")
    table.add_column("Code", style="bold cyan", no_wrap=True)
    table.add_column("Name", no_wrap=True)
    table.add_column("Category", style="magenta", no_wrap=True)
    table.add_column("Replaced by (arn:aws:states:::...)", overflow="fold")
    for rule in catalog.rules:
        table.add_row(
            rule.id, rule.name, rule.category, rule.integration.removeprefix(STATES_ARN_PREFIX)
        )
    console.print(table)


def render_rule(rule: Rule, console: Console) -> None:
    console.print(Markdown(rule_markdown(rule), code_theme=CODE_THEME))


def _matches_section(rule: Rule) -> list[str]:
    if not rule.services:
        return ["Guards over the event, in any handler."]

    def listed(values: tuple[str, ...]) -> str:
        return "any" if values == (WILDCARD,) else ", ".join(f"`{v}`" for v in values)

    return [
        f"- Services: {listed(rule.services)}",
        f"- Operations: {listed(rule.operations)}",
        f"- API styles: {listed(rule.api_styles)}",
    ]


def _iam_section(rule: Rule) -> list[str]:
    if not rule.iam_actions:
        return ["No permissions: the replacement calls no AWS API."]
    lines = ["- Actions: " + ", ".join(f"`{a}`" for a in rule.iam_actions)]
    if rule.iam_resource_arn:
        lines.append(f"- Resource: `{rule.iam_resource_arn}`")
    if rule.resource_parameter:
        lines.append(f"- Resource from parameter: `{rule.resource_parameter}`")
    return lines


def rule_markdown(rule: Rule) -> str:
    """The rule's documentation as Markdown; the same rule always gives the same text."""
    parts = [
        f"# {rule.name} ({rule.id})",
        rule.title + ".",
        f"Category: `{rule.category}`. Replaced by: `{rule.integration}`.",
        "## What it does",
        rule.what_it_does,
        "## Why",
        rule.why,
        "## Example",
        "Before:",
        rule.example_before,
        "After:",
        rule.example_after,
    ]
    if rule.risks:
        parts += ["## Risks", "\n".join(f"- {risk}" for risk in rule.risks)]
    parts += ["## IAM", "\n".join(_iam_section(rule))]
    if rule.error_prefix:
        parts.append(f"Errors of the replacement are named `{rule.error_prefix}<Error>`.")
    parts += ["## Matches", "\n".join(_matches_section(rule)), f"More: <{rule.url}>"]
    return "\n\n".join(part.strip() for part in parts) + "\n"
