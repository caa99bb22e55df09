"""Typed JSON columns: categories, key items, source ratings and the policy as Python objects.

Each column holds in the database exactly the JSON it always held (the records' ``to_record``
forms), so existing databases and backups load unchanged; the models hand out frozen dataclasses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import JSON
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from exercises.cores import derived_core
from scoring.types import KeyItem, Policy

DISMISSED_SUGGESTIONS = "dismissed_suggestions"
"""The name the key editor's dismissed suggestions have in the policy column's JSON."""


class Record(Protocol):
    """A value with a JSON form (``to_record``), as categories, key items and ratings have."""

    def to_record(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=Record)


class RecordList(TypeDecorator[tuple[R, ...]]):
    """A tuple of records in Python; in the database, the JSON list of their ``to_record`` forms,
    read back with ``from_record``."""

    impl = JSON
    cache_ok = True

    def __init__(self, from_record: Callable[[dict[str, Any]], R]) -> None:
        super().__init__()
        self.from_record = from_record

    def process_bind_param(self, value: tuple[R, ...] | None, dialect: Dialect) -> list[dict[str, Any]] | None:
        return None if value is None else [record.to_record() for record in value]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[R, ...] | None:
        return None if value is None else tuple(self.from_record(record) for record in value)


def key_item_from_record(record: dict[str, Any]) -> KeyItem:
    """Rebuild a key item from its JSON form; one stored without a core (from before cores
    existed) gets the core the rule derives (`exercises.cores`), as the scoring engine needs one.
    Its stored JSON is left as it is."""
    item = KeyItem.from_record(record)
    if item.core_start is not None:
        return item
    start, end = derived_core(item.quote, figure=item.group is not None)
    return dataclasses.replace(item, core_start=item.start + start, core_end=item.start + end)


@dataclass(frozen=True, slots=True)
class StoredPolicy:
    """What an exercise's policy column holds: the scoring policy and, beside its fields, the
    suggestions an instructor dismissed in the key editor (``article:start:end:category``).

    The dismissed suggestions share the column so that stored exercises and backups keep the
    shape they have; the scoring engine and package exports see only the `Policy`.
    """

    policy: Policy = Policy()
    dismissed_suggestions: tuple[str, ...] = ()


class StoredPolicyJSON(TypeDecorator[StoredPolicy]):
    """An exercise's `StoredPolicy` in Python; in the database, the policy's record with the
    dismissed suggestions under `DISMISSED_SUGGESTIONS` (left out while there are none)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: StoredPolicy | None, dialect: Dialect) -> dict[str, Any] | None:
        if value is None:
            return None
        record = value.policy.to_record()
        if value.dismissed_suggestions:
            record[DISMISSED_SUGGESTIONS] = list(value.dismissed_suggestions)
        return record

    def process_result_value(self, value: Any, dialect: Dialect) -> StoredPolicy | None:
        if value is None:
            return None
        return StoredPolicy(Policy.from_record(value), tuple(value.get(DISMISSED_SUGGESTIONS, ())))
