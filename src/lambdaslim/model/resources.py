"""Template resources: every resource as written, plus typed views the analyzer needs."""

from __future__ import annotations

from dataclasses import dataclass

from lambdaslim.model.location import Location
from lambdaslim.model.values import Raw, Value


@dataclass(frozen=True)
class Resource:
    """One entry of the template's ``Resources`` section.

    ``name`` is the physical name property of the type (``TableName``, ``QueueName``,
    ``FunctionName``...) resolved like any value, or None when the template lets AWS generate it.
    """

    logical_id: str
    type: str
    properties: dict[str, Raw]
    location: Location
    name: Value = None


@dataclass(frozen=True)
class KeyAttribute:
    """A DynamoDB key attribute: ``type`` is ``S``, ``N`` or ``B``."""

    name: str
    type: str


@dataclass(frozen=True)
class TableIndex:
    """A global or local secondary index (``kind`` is ``"global"`` or ``"local"``)."""

    name: str
    kind: str
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None


@dataclass(frozen=True)
class Table:
    """A DynamoDB table (``AWS::DynamoDB::Table`` or ``AWS::Serverless::SimpleTable``)."""

    logical_id: str
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None
    indexes: tuple[TableIndex, ...]
    location: Location
