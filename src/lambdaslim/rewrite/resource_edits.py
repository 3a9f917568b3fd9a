"""The plan's edits of the resources that stay: state machines, their roles, APIs.

Removals are decided on the template *after* these edits (``removals``): a reference the plan
takes away (a ``DefinitionSubstitutions`` entry, an invoke policy, a route's Lambda integration)
then no longer keeps a removed function's resources alive.
"""

from __future__ import annotations

from lambdaslim.errors import LambdaslimError
from lambdaslim.model import Application
from lambdaslim.plan import Plan
from lambdaslim.rewrite.api_integration import edit_routes
from lambdaslim.rewrite.machine_changes import edit_machine, read_text, relative_path
from lambdaslim.rewrite.machine_iam import edit_machine_iam
from lambdaslim.rewrite.template_edit import TemplateEditor


def template_source(app: Application) -> tuple[str, str] | None:
    """The template's relative path and text (None for a lone definition or handler)."""
    if app.template_file is None:
        return None
    return relative_path(app, app.template_file), read_text(app.template_file)


def edit_resources(editor: TemplateEditor | None, app: Application, plan: Plan) -> dict[str, str]:
    """Apply the machine and route edits; returns the rewritten definition files."""
    files: dict[str, str] = {}
    for edit in plan.machines:
        files.update(edit_machine(editor, app, edit))
        if editor is not None:
            edit_machine_iam(editor, app, edit)
    if plan.routes:
        if editor is None:
            raise LambdaslimError("the plan rewrites API routes, but there is no template")
        edit_routes(editor, app, plan.routes)
    return files
