"""A parsed template and the helpers every resource loader shares."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lambdaslim.loading.documents import key_line
from lambdaslim.loading.project import Project
from lambdaslim.loading.references import References
from lambdaslim.model.location import Location


class TemplateFile:
    """The parsed template with what every resource loader needs: paths, lines, references."""

    def __init__(self, project: Project, path: Path, document: Mapping[str, Any]):
        self.project = project
        self.path = path
        self.document = document
        self.shown = project.display(path)
        self.relative = project.relative(path)
        self.resources: Mapping[str, Any] = document["Resources"]
        self.references = References(self.resources, document.get("Parameters") or {})

    def location(self, logical_id: str) -> Location:
        return Location(self.relative, key_line(self.resources, logical_id))

    def properties(self, logical_id: str) -> Mapping[str, Any]:
        """The resource's ``Properties`` (a mapping: ``load_template`` checked every resource)."""
        properties: Mapping[str, Any] = self.resources[logical_id].get("Properties") or {}
        return properties

    def local_file(
        self, value: Any, culprit: str, logical_id: str, properties: Mapping[str, Any], key: str
    ) -> Path | None:
        """A local path property resolved inside the project; None for S3 locations."""
        if not isinstance(value, str) or value.startswith("s3://"):
            return None
        line = key_line(properties, key)
        path = self.project.inside(
            self.path.parent / value, f"{logical_id} {culprit}", self.path, line
        )
        return path

    def of_type(self, types: frozenset[str]) -> list[str]:
        return [lid for lid, resource in self.resources.items() if resource.get("Type") in types]
