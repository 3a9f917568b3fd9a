"""DynamoDB tables with their key schema and secondary indexes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambdaslim.loading.shapes import expect_list, expect_mapping, expect_str
from lambdaslim.loading.template_file import TemplateFile
from lambdaslim.model.resources import KeyAttribute, Table, TableIndex

SIMPLE_TABLE_TYPES = {"String": "S", "Number": "N", "Binary": "B"}


def load_tables(template: TemplateFile) -> dict[str, Table]:
    """Tables whose key schema is written literally (a conditional schema is left out)."""
    tables: dict[str, Table] = {}
    for logical_id in sorted(template.of_type(frozenset({"AWS::DynamoDB::Table"}))):
        table = _dynamodb_table(template, logical_id)
        if table is not None:
            tables[logical_id] = table
    for logical_id in sorted(template.of_type(frozenset({"AWS::Serverless::SimpleTable"}))):
        owner = f"resource {logical_id}"
        key = expect_mapping(
            template.properties(logical_id), "PrimaryKey", f"PrimaryKey of {owner}", template.shown
        )
        name = key.get("Name", "id")
        type_ = expect_str(key, "Type", f"PrimaryKey.Type of {owner}", template.shown) or "String"
        if isinstance(name, str) and type_ in SIMPLE_TABLE_TYPES:
            partition = KeyAttribute(name, SIMPLE_TABLE_TYPES[type_])
            tables[logical_id] = Table(
                logical_id, partition, None, (), template.location(logical_id)
            )
    return dict(sorted(tables.items()))


def _dynamodb_table(template: TemplateFile, logical_id: str) -> Table | None:
    properties = template.properties(logical_id)

    def expect_list_of(key: str) -> list[Any]:
        return expect_list(properties, key, f"{key} of resource {logical_id}", template.shown)

    types = {
        definition.get("AttributeName"): definition.get("AttributeType")
        for definition in expect_list_of("AttributeDefinitions")
        if isinstance(definition, Mapping) and isinstance(definition.get("AttributeName"), str)
    }
    keys = _keys(properties.get("KeySchema"), types)
    if keys is None:
        return None
    indexes = []
    for kind, field in (("global", "GlobalSecondaryIndexes"), ("local", "LocalSecondaryIndexes")):
        for index in expect_list_of(field):
            index_keys = (
                _keys(index.get("KeySchema"), types) if isinstance(index, Mapping) else None
            )
            if index_keys is not None and isinstance(index.get("IndexName"), str):
                indexes.append(TableIndex(str(index["IndexName"]), kind, *index_keys))
    return Table(logical_id, *keys, tuple(indexes), template.location(logical_id))


def _keys(schema: Any, types: Mapping[Any, Any]) -> tuple[KeyAttribute, KeyAttribute | None] | None:
    if not isinstance(schema, list):
        return None
    by_role: dict[str, KeyAttribute] = {}
    for element in schema:
        if not isinstance(element, Mapping):
            return None
        name, role = element.get("AttributeName"), element.get("KeyType")
        if not isinstance(name, str) or role not in ("HASH", "RANGE"):
            return None
        by_role[str(role)] = KeyAttribute(name, str(types.get(name, "S")))
    if "HASH" not in by_role:
        return None
    return by_role["HASH"], by_role.get("RANGE")
