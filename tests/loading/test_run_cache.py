"""The whole-run cache: reused only while every input is unchanged; never trusted blindly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambdaslim.loading import load_application
from lambdaslim.loading.run_cache import RunCache

TEMPLATE = """\
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.12}
"""


@pytest.fixture
def app(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / "src").mkdir(parents=True)
    (root / "template.yaml").write_text(TEMPLATE)
    (root / "src" / "app.py").write_text("def handler(event, context):\n    return event\n")
    return root


def stored(app: Path, tmp_path: Path, output: str = "OUT", code: int = 0) -> RunCache:
    """A run of ``app`` recorded the way the command records it."""
    inputs: list[Path] = []
    loaded = load_application(app, inputs=inputs)
    handlers = [f.source_file for f in loaded.functions.values() if f.source_file]
    cache = RunCache(tmp_path / "runs", str(app), "digest", {"format": "json"})
    cache.store(cache.fingerprints([*inputs, *handlers]), output, code)
    return cache


def fresh(app: Path, tmp_path: Path, digest: str = "digest", fmt: str = "json") -> RunCache:
    return RunCache(tmp_path / "runs", str(app), digest, {"format": fmt})


def test_the_loader_reports_every_file_it_reads(app: Path) -> None:
    inputs: list[Path] = []
    load_application(app, inputs=inputs)
    assert inputs == [(app / "template.yaml").resolve()]


def test_an_unchanged_run_is_reused_with_its_exit_code(app: Path, tmp_path: Path) -> None:
    stored(app, tmp_path, "the output", 1)
    cached = fresh(app, tmp_path).lookup()
    assert cached is not None and (cached.output, cached.exit_code) == ("the output", 1)


@pytest.mark.parametrize("changed", ["template.yaml", "src/app.py"])
def test_a_changed_input_misses(app: Path, tmp_path: Path, changed: str) -> None:
    stored(app, tmp_path)
    with (app / changed).open("a") as handle:
        handle.write("# changed\n")
    assert fresh(app, tmp_path).lookup() is None


def test_same_size_other_content_misses(app: Path, tmp_path: Path) -> None:
    stored(app, tmp_path)
    handler = app / "src" / "app.py"
    handler.write_text(handler.read_text().replace("event", "EVENT"))
    assert fresh(app, tmp_path).lookup() is None


def test_a_deleted_input_or_a_new_root_template_misses(app: Path, tmp_path: Path) -> None:
    stored(app, tmp_path)
    (app / "template.yml").write_text(TEMPLATE)
    assert fresh(app, tmp_path).lookup() is None
    (app / "template.yml").unlink()
    assert fresh(app, tmp_path).lookup() is not None
    (app / "src" / "app.py").unlink()
    assert fresh(app, tmp_path).lookup() is None


def test_other_catalog_or_options_miss(app: Path, tmp_path: Path) -> None:
    stored(app, tmp_path)
    assert fresh(app, tmp_path, digest="other").lookup() is None
    assert fresh(app, tmp_path, fmt="sarif").lookup() is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "{not json",
        lambda text: "",
        lambda text: json.dumps([1, 2]),
        lambda text: json.dumps({**json.loads(text), "key": "0" * 64}),
        lambda text: json.dumps({**json.loads(text), "inputs": [["/nonexistent", 1, 1, "x"]]}),
        lambda text: json.dumps({**json.loads(text), "inputs": "nonsense"}),
        lambda text: json.dumps({**json.loads(text), "output": 3}),
        lambda text: json.dumps({k: v for k, v in json.loads(text).items() if k != "output"}),
        lambda text: text[: len(text) // 2],
    ],
)
def test_corrupt_or_foreign_entries_are_ignored_then_rewritten(app, tmp_path, damage) -> None:
    cache = stored(app, tmp_path)
    cache.path.write_text(damage(cache.path.read_text()))
    assert fresh(app, tmp_path).lookup() is None
    stored(app, tmp_path, "again")
    cached = fresh(app, tmp_path).lookup()
    assert cached is not None and cached.output == "again"


def test_a_tree_found_by_walking_is_not_cached(tmp_path: Path) -> None:
    root = tmp_path / "mono"
    (root / "deep" / "src").mkdir(parents=True)
    (root / "deep" / "template.yaml").write_text(TEMPLATE)
    (root / "deep" / "src" / "app.py").write_text("def handler(event, context):\n    pass\n")
    stored(root, tmp_path)
    assert fresh(root, tmp_path).lookup() is None


def test_an_unwritable_cache_is_only_slower(app: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "runs"
    blocker.write_text("a file where the folder should be")
    cache = RunCache(blocker, str(app), "digest", {"format": "json"})
    cache.store(cache.fingerprints([app / "template.yaml"]), "OUT", 0)
    assert cache.lookup() is None


def test_a_file_gone_before_its_fingerprint_leaves_no_entry(app: Path, tmp_path: Path) -> None:
    cache = RunCache(tmp_path / "runs", str(app), "digest", {"format": "json"})
    fingerprints = cache.fingerprints([app / "template.yaml", app / "src" / "gone.py"])
    cache.store(fingerprints, "OUT", 0)
    assert fingerprints is None
    assert cache.lookup() is None
