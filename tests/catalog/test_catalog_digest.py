"""The digest that keys every cache covers the rules and lambdaslim's own code: a changed
analyser never answers from summaries or runs an earlier one made."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lambdaslim import catalog_files
from lambdaslim.catalog import load_catalog
from lambdaslim.catalog_files import catalog_digest


def test_the_digest_is_the_catalogs_and_is_stable() -> None:
    assert catalog_digest() == load_catalog().digest == catalog_digest()


def test_the_digest_covers_the_analyser_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "classify.py"
    module.write_text("KEEP = 'loops'\n")
    monkeypatch.setattr(catalog_files, "code_files", lambda: [module])
    monkeypatch.setattr(catalog_files, "__file__", str(tmp_path / "catalog_files.py"))
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
    package = Path(catalog_files.__file__).parent
    covered = set(catalog_files.code_files())
    assert package / "analysis" / "statements.py" in covered
    assert package / "cli.py" in covered
    assert not any("__pycache__" in path.parts for path in covered)


def test_the_digest_does_not_import_what_parsing_rules_needs() -> None:
    """``analyze`` computes it before forking its workers: it must stay a light import."""
    code = ("import sys; import lambdaslim.catalog_files as f; f.catalog_digest(); "
            "print(sorted(m for m in ('ruamel.yaml', 'botocore.loaders', 'lambdaslim.catalog')"
            " if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
