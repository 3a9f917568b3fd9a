"""The output tree: what is copied, how symlinks and modes survive, and the atomic swap."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from lambdaslim.errors import LambdaslimError
from lambdaslim.rewrite.output_tree import (
    FILE,
    FOLDER,
    LINK,
    check_changes,
    check_out,
    differs,
    list_tree,
    staged_folder,
    write_output,
)


def make_tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root.resolve()


def listing(root: Path, exclude: Path | None = None) -> list[tuple[str, str, str]]:
    return [(e.path, e.kind, e.link) for e in list_tree(root, exclude=exclude, root_shown="app")]


def everything_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


# -- what is copied ------------------------------------------------------------------------------


def test_lists_folders_before_their_content_and_skips_caches_vcs_builds_and_venvs(
    tmp_path: Path,
) -> None:
    root = make_tree(tmp_path / "app", {
        "template.yaml": "", "functions/b/app.py": "", "functions/a/app.py": "",
        "functions/a/__pycache__/app.cpython-311.pyc": "", ".git/HEAD": "", ".aws-sam/b.toml": "",
        ".lambdaslim/plan.json": "", "env/pyvenv.cfg": "", "env/bin/python": "",
        "optimized/template.yaml": "",
    })
    assert listing(root, exclude=root / "optimized") == [
        ("functions", FOLDER, ""),
        ("functions/a", FOLDER, ""),
        ("functions/a/app.py", FILE, ""),
        ("functions/b", FOLDER, ""),
        ("functions/b/app.py", FILE, ""),
        ("template.yaml", FILE, ""),
    ]


def test_symlinks_inside_the_project_are_kept_as_links_that_point_into_the_copy(
    tmp_path: Path,
) -> None:
    root = make_tree(tmp_path / "app", {"shared/util.py": "", "functions/a/app.py": ""})
    (root / "functions/a/util.py").symlink_to("../../shared/util.py")
    (root / "functions/shared").symlink_to(root / "shared")  # absolute: made relative
    (root / "functions/b").symlink_to("../../app/functions/a")  # leaves the root and comes back
    assert [entry for entry in listing(root) if entry[1] == LINK] == [
        ("functions/a/util.py", LINK, "../../shared/util.py"),
        ("functions/b", LINK, "a"),
        ("functions/shared", LINK, "../shared"),
    ]


def test_a_symlink_leaving_the_project_is_refused_by_name(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "app", {"template.yaml": ""})
    (tmp_path / "secret.txt").write_text("")
    (root / "functions").mkdir()
    (root / "functions/secret.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(LambdaslimError) as error:
        listing(root)
    assert str(error.value) == (
        f"app/functions/secret.txt: symlink points outside the project, to {tmp_path}/secret.txt"
    )


def test_a_symlink_loop_is_refused_by_name(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "app", {"template.yaml": ""})
    (root / "a").symlink_to("b")
    (root / "b").symlink_to("a")
    with pytest.raises(LambdaslimError, match=r"^app/a: symlink loop$"):
        listing(root)


def test_a_special_file_is_refused(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "app", {"template.yaml": ""})
    os.mkfifo(root / "pipe")
    with pytest.raises(LambdaslimError, match=r"^app/pipe: not a regular file"):
        listing(root)


# -- the output folder ---------------------------------------------------------------------------


def test_out_may_be_absent_empty_or_inside_the_input(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "app", {"template.yaml": ""})
    (tmp_path / "empty").mkdir()
    for out in (tmp_path / "new", tmp_path / "empty", root / "optimized"):
        check_out(root, out, force=False, out_shown="out")


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("app", "out: the output folder is the application folder itself"),
        (".", "out: the output folder contains the application folder"),
        ("full", "out: the output folder is not empty (--force replaces it)"),
        ("file", "out: the output exists and is not a folder"),
    ],
)
def test_out_that_would_touch_the_input_or_other_files_is_refused(
    tmp_path: Path, out: str, message: str
) -> None:
    root = make_tree(tmp_path / "app", {"template.yaml": ""})
    make_tree(tmp_path, {"full/old.txt": "", "file": ""})
    with pytest.raises(LambdaslimError) as error:
        check_out(root, (tmp_path / out).resolve(), force=False, out_shown="out")
    assert str(error.value).startswith(message)


def test_force_accepts_a_non_empty_out(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "app", {"template.yaml": ""})
    make_tree(tmp_path, {"full/old.txt": ""})
    check_out(root, tmp_path / "full", force=True, out_shown="out")


# -- the atomic swap -----------------------------------------------------------------------------


def test_staged_folder_appears_only_when_complete_and_replaces_the_old_one(
    tmp_path: Path,
) -> None:
    out = tmp_path / "deep" / "out"
    with staged_folder(out, out_shown="out") as staging:
        assert staging.parent == out.parent and not out.exists()
        (staging / "a.txt").write_text("new")
    assert everything_under(tmp_path) == ["deep", "deep/out", "deep/out/a.txt"]
    with staged_folder(out, out_shown="out") as staging:
        (staging / "b.txt").write_text("newer")
    assert everything_under(tmp_path) == ["deep", "deep/out", "deep/out/b.txt"]


@pytest.mark.parametrize("failure", [RuntimeError("boom"), KeyboardInterrupt()])
def test_a_failure_leaves_nothing_behind(tmp_path: Path, failure: BaseException) -> None:
    with pytest.raises(type(failure)), staged_folder(tmp_path / "a" / "b" / "out",
                                                     out_shown="out") as staging:
        (staging / "half.txt").write_text("half")
        raise failure
    assert everything_under(tmp_path) == []


def test_a_failure_keeps_the_old_out_as_it_was(tmp_path: Path) -> None:
    make_tree(tmp_path, {"out/old.txt": "old"})
    with pytest.raises(KeyboardInterrupt), staged_folder(tmp_path / "out",
                                                          out_shown="out") as staging:
        (staging / "new.txt").write_text("new")
        raise KeyboardInterrupt
    assert everything_under(tmp_path) == ["out", "out/old.txt"]


def test_an_unwritable_parent_is_one_error_naming_out(tmp_path: Path) -> None:
    (tmp_path / "locked").mkdir(mode=0o555)
    if os.access(tmp_path / "locked", os.W_OK):
        pytest.skip("running as a user who can write anywhere")
    with pytest.raises(LambdaslimError, match=r"^locked/out: cannot write the output"), \
            staged_folder(tmp_path / "locked" / "out", out_shown="locked/out"):
        pass


# -- copying and applying the changes ------------------------------------------------------------


def test_copy_keeps_modes_links_and_applies_the_changes(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "app", {
        "template.yaml": "old\n", "deploy.sh": "#!/bin/sh\n", "functions/a/app.py": "a\n",
        "functions/b/app.py": "b\n", "shared/common.yaml": "x: 1\n",
    })
    (root / "deploy.sh").chmod(0o755)
    (root / "shared/common.yaml").chmod(0o600)
    (root / "functions/b/util.py").symlink_to("../a/app.py")
    (root / "linked.yaml").symlink_to("shared/common.yaml")
    entries = list_tree(root, exclude=None, root_shown="app")
    out = tmp_path / "out"
    out.mkdir()
    write_output(root, entries, out, root_shown="app", deleted=["functions/a/"], files={
        "template.yaml": "new\n", "statemachine/flow.asl.json": "{}\n", "linked.yaml": "x: 2\n",
    })
    assert everything_under(out) == [
        "deploy.sh", "functions", "functions/b", "functions/b/app.py", "functions/b/util.py",
        "linked.yaml", "shared", "shared/common.yaml", "statemachine",
        "statemachine/flow.asl.json", "template.yaml",
    ]
    assert stat.S_IMODE((out / "deploy.sh").stat().st_mode) == 0o755
    assert os.readlink(out / "functions/b/util.py") == "../a/app.py"
    assert (out / "template.yaml").read_bytes() == b"new\n"
    # a changed file that was a symlink becomes a regular file with its target's mode
    assert not (out / "linked.yaml").is_symlink()
    assert stat.S_IMODE((out / "linked.yaml").stat().st_mode) == 0o600
    assert (out / "shared/common.yaml").read_text() == "x: 1\n"
    assert (root / "template.yaml").read_text() == "old\n"


def test_a_changed_file_keeps_its_mode_and_the_exact_text(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "app", {"run.py": "print(1)\n"})
    (root / "run.py").chmod(0o750)
    out = tmp_path / "out"
    out.mkdir()
    text = "#!/usr/bin/env python3\r\nprint('é')\r\n"
    write_output(root, list_tree(root, exclude=None, root_shown="app"), out,
                 files={"run.py": text}, deleted=(), root_shown="app")
    assert (out / "run.py").read_bytes() == text.encode("utf-8")
    assert stat.S_IMODE((out / "run.py").stat().st_mode) == 0o750


def test_read_only_folders_are_filled_then_keep_their_mode(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "app", {"docs/readme.md": "hi\n"})
    (root / "docs").chmod(0o555)
    out = tmp_path / "out"
    out.mkdir()
    try:
        write_output(root, list_tree(root, exclude=None, root_shown="app"), out,
                     files={"docs/readme.md": "hello\n"}, deleted=(), root_shown="app")
        assert stat.S_IMODE((out / "docs").stat().st_mode) == 0o555
        assert (out / "docs/readme.md").read_text() == "hello\n"
    finally:
        (root / "docs").chmod(0o755)
        (out / "docs").chmod(0o755)


@pytest.mark.parametrize("path", ["/etc/passwd", "../elsewhere.txt", "a/../../b", ""])
def test_changes_outside_the_application_are_refused(tmp_path: Path, path: str) -> None:
    root = make_tree(tmp_path / "app", {"template.yaml": ""})
    with pytest.raises(LambdaslimError, match="outside the application"):
        check_changes(root, {path: ""}, (), root_shown="app")


def test_deleting_what_does_not_exist_is_refused(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "app", {"template.yaml": ""})
    with pytest.raises(LambdaslimError, match=r"^app/functions/gone/: rewrite deletes a path"):
        check_changes(root, {}, ["functions/gone/"], root_shown="app")


def test_differs_compares_bytes(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "app", {"a.txt": "same\n"})
    assert not differs(root, "a.txt", "same\n")
    assert differs(root, "a.txt", "same\r\n")
    assert differs(root, "new.txt", "")

