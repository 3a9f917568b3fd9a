"""The digest that keys every cache covers the rules and lambdaslim's own code: a changed
analyser never answers from summaries or runs an earlier one made."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdaslim import catalog
from lambdaslim.catalog import catalog_digest, load_catalog


def test_the_digest_is_the_catalogs_and_is_stable() -> None:
    assert catalog_digest() == load_catalog().digest == catalog_digest()


def test_the_digest_covers_the_analyser_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "classify.py"
    module.write_text("KEEP = 'loops'\n")
    monkeypatch.setattr(catalog, "_code_files", lambda: [module])
    monkeypatch.setattr(catalog, "__file__", str(tmp_path / "catalog.py"))
    before = catalog_digest()
    module.write_text("KEEP = 'loops and comprehensions'\n")
    assert catalog_digest() != before


def test_the_digest_covers_the_rules(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    assert catalog_digest([rules]) == catalog_digest()  # an empty folder adds nothing
    (rules / "extra.yaml").write_text("id: LS900\n")
    assert catalog_digest([rules]) != catalog_digest()


def test_every_module_of_the_package_is_covered() -> None:
    package = Path(catalog.__file__).parent
    covered = set(catalog._code_files())
    assert package / "analysis" / "statements.py" in covered
    assert package / "cli.py" in covered
    assert not any("__pycache__" in path.parts for path in covered)
