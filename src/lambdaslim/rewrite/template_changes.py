"""Apply a ``Plan`` to the application's files: the entry point of the rewrite's file changes.

The template is edited through ``TemplateEditor`` only, so everything the plan does not change
stays byte-identical; the same plan on the same files gives the same bytes. Order: the state
machines (definitions, substitutions, type, IAM, connections), the API routes, then the
removals, decided on the template as those edits left it (``removals``).
"""

from __future__ import annotations

from dataclasses import dataclass

from lambdaslim.classification import Analysis
from lambdaslim.model import Application
from lambdaslim.plan import Plan
from lambdaslim.rewrite.removals import apply_removals, plan_removals
from lambdaslim.rewrite.resource_edits import edit_resources, template_source
from lambdaslim.rewrite.template_edit import TemplateEditor


@dataclass(frozen=True)
class FileChanges:
    """``files``: relative POSIX path (under ``app.root``) -> new full text, for every changed or
    added file; ``deleted``: relative paths of files and folders to delete, sorted."""

    files: dict[str, str]
    deleted: tuple[str, ...]


def rewrite_files(app: Application, analysis: Analysis, plan: Plan) -> FileChanges:
    source = template_source(app)
    if source is None:
        return FileChanges(dict(sorted(edit_resources(None, app, plan).items())), ())
    relative, text = source
    editor = TemplateEditor.from_text(text, relative)
    files = edit_resources(editor, app, plan)
    removals = plan_removals(editor.get(()), app, analysis, plan)
    apply_removals(editor, removals)
    if editor.text() != text:
        files[relative] = editor.text()
    return FileChanges(dict(sorted(files.items())), removals.folders)
