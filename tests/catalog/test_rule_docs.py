"""Rendering the catalog: the rules table, one rule's page, and its Markdown."""

from __future__ import annotations

import dataclasses

import pytest
from rich.console import Console

from lambdaslim.catalog import load_catalog
from lambdaslim.rule_docs import render_rule, render_rule_list, rule_markdown

CATALOG = load_catalog()


def recording_console() -> Console:
    return Console(record=True, width=160, force_terminal=True, color_system="truecolor")


def test_rule_list_has_every_rule():
    console = recording_console()
    render_rule_list(CATALOG, console)
    text = console.export_text()
    for header in ("Code", "Name", "Category", "Replaced by"):
        assert header in text
    for rule in CATALOG.rules:
        line = next(line for line in text.splitlines() if rule.id in line)
        assert rule.name in line and rule.category in line


@pytest.mark.parametrize("rule", CATALOG.rules, ids=lambda r: r.id)
def test_rule_page_has_the_sections(rule):
    console = recording_console()
    render_rule(rule, console)
    text = console.export_text(clear=False)
    for section in ("What it does", "Why", "Example", "Before:", "After:", "Risks", "IAM"):
        assert section in text
    assert rule.id in text and rule.name in text and rule.url in text
    # Code is highlighted: the recorded output carries colour for the example blocks.
    assert "\x1b[" in console.export_text(styles=True)


def test_rule_page_shows_example_code_and_iam():
    console = recording_console()
    render_rule(CATALOG.rule("LS101"), console)
    text = console.export_text()
    assert "table.put_item(" in text
    assert "arn:aws:states:::dynamodb:putItem" in text
    assert "dynamodb:PutItem" in text
    assert "DynamoDB.<Error>" in text


def test_markdown_is_deterministic_and_complete():
    rule = CATALOG.rule("LS105")
    text = rule_markdown(rule)
    assert text == rule_markdown(load_catalog().rule("LS105"))
    assert text.startswith("# sqs-send-message-transport (LS105)\n")
    assert text.endswith("\n") and not text.endswith("\n\n")
    for heading in ("## What it does", "## Why", "## Example", "## Risks", "## IAM", "## Matches"):
        assert f"\n{heading}\n" in text
    assert "```python\n" in text and "```json\n" in text
    assert "`sqs:SendMessage`" in text


def test_markdown_does_not_depend_on_where_the_rule_was_loaded_from(tmp_path):
    rule = CATALOG.rule("LS201")
    moved = dataclasses.replace(rule, source=tmp_path / "elsewhere.yaml")
    assert rule_markdown(moved) == rule_markdown(rule)
    assert "No permissions" in rule_markdown(rule)
