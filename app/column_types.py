"""Typed JSON columns: categories, key items, source ratings and the policy as Python objects.

Each column holds in the database exactly the JSON it always held (the records' ``to_record``
forms), so existing databases and backups load unchanged; the models hand out frozen dataclasses.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from exercises.cores import derived_core
from exercises.types import Category
from scoring.types import KeyItem, Policy, RatingKey

DISMISSED_SUGGESTIONS = "dismissed_suggestions"
"""The name the key editor's dismissed suggestions have in the policy column's JSON."""


class CategoryList(TypeDecorator[tuple[Category, ...]]):
    """An exercise's categories in Python; in the database, the JSON list of their records."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: tuple[Category, ...] | None, dialect: Dialect) -> list[dict[str, Any]] | None:
        return None if value is None else [category.to_record() for category in value]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[Category, ...] | None:
        return None if value is None else tuple(Category.from_record(record) for record in value)


def key_item_from_record(record: dict[str, Any]) -> KeyItem:
    """Rebuild a key item from its JSON form; one stored without a core gets the derived core."""
    item = KeyItem.from_record(record)
    if item.core_start is not None:
        return item
    start, end = derived_core(item.quote, figure=item.group is not None)
    return dataclasses.replace(item, core_start=item.start + start, core_end=item.start + end)


class KeyItemList(TypeDecorator[tuple[KeyItem, ...]]):
    """A key version's items in Python; in the database, the JSON list of their records.

    Items stored before cores existed are read with the core the rule derives (`exercises.cores`),
    as the scoring engine needs one; their stored JSON is left as it is.
    """

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: tuple[KeyItem, ...] | None, dialect: Dialect) -> list[dict[str, Any]] | None:
        return None if value is None else [item.to_record() for item in value]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[KeyItem, ...] | None:
        return None if value is None else tuple(key_item_from_record(record) for record in value)


class RatingKeyList(TypeDecorator[tuple[RatingKey, ...]]):
    """A key version's source ratings in Python; in the database, the JSON list of their records."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: tuple[RatingKey, ...] | None, dialect: Dialect) -> list[dict[str, Any]] | None:
        return None if value is None else [rating.to_record() for rating in value]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[RatingKey, ...] | None:
        return None if value is None else tuple(RatingKey.from_record(record) for record in value)


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
