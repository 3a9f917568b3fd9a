"""Small edit patterns built on ``TemplateEditor`` that keep a reviewer's diff minimal."""

from __future__ import annotations

from typing import Any

from lambdaslim.rewrite.template_edit import Path, TemplateEditor


def set_if_changed(editor: TemplateEditor, path: Path, value: Any) -> None:
    """``editor.set`` unless the value is already there (a no-op must not re-render text)."""
    if not editor.has(path) or editor.get(path) != value:
        editor.set(path, value)


def sync_value(editor: TemplateEditor, path: Path, new: Any) -> None:
    """Make the value at ``path`` equal ``new`` by editing only what differs.

    Mappings are edited key by key (removed keys deleted, new keys inserted after their
    predecessor in ``new``) as long as the keys they share keep their order and ``new`` starts
    with a key that exists; lists of the same length item by item. Anything else is replaced
    whole. Comments and formatting of the unchanged parts stay as they were.
    """
    old = editor.get(path)
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict) and _keyed_edit_fits(old, new):
        for key in old:
            if key not in new:
                editor.delete((*path, key))
        previous: str | None = None
        for key, value in new.items():
            if key in old:
                sync_value(editor, (*path, key), value)
            else:
                assert previous is not None  # _keyed_edit_fits: the first key of new is in old
                editor.insert_after((*path, previous), key, value)
            previous = key
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new) and old:
        for index, value in enumerate(new):
            sync_value(editor, (*path, index), value)
        return
    editor.set(path, new)


def delete_items(editor: TemplateEditor, path: Path, indexes: list[int]) -> None:
    """Delete sequence items (highest index first, so the others keep their position)."""
    for index in sorted(set(indexes), reverse=True):
        editor.delete((*path, index))


def append_item(editor: TemplateEditor, path: Path, value: Any) -> None:
    """Append to the sequence at ``path`` (created when missing).

    ``TemplateEditor`` cannot add a sequence item yet, so the sequence is rendered again with
    the new item: comments inside that one sequence are lost.
    """
    items = editor.get(path) if editor.has(path) else []
    editor.set(path, [*items, value])


def _keyed_edit_fits(old: dict[Any, Any], new: dict[Any, Any]) -> bool:
    if _intrinsic(old) or _intrinsic(new) or not new or next(iter(new)) not in old:
        return False
    shared_old = [key for key in old if key in new]
    shared_new = [key for key in new if key in old]
    return shared_old == shared_new


def _intrinsic(value: dict[Any, Any]) -> bool:
    return len(value) == 1 and isinstance(next(iter(value)), str) and (
        next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::")
    )
