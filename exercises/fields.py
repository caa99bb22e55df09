"""Read typed fields from one TOML table, recording a problem for each missing or mistyped one."""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection, Mapping
from typing import Any

from exercises.problems import ProblemLog

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")
"""Ids of articles, categories, items and groups: lower-case letters, digits, ``-`` and ``_``."""

_MISSING = object()


def type_name(value: object) -> str:
    """Name a value's type the way TOML would."""
    names = {
        bool: "boolean",
        int: "integer",
        float: "float",
        str: "string",
        list: "array",
        dict: "table",
        datetime.date: "date",
        datetime.datetime: "date-time",
        datetime.time: "time",
    }
    return names.get(type(value), type(value).__name__)


class Fields:
    """One TOML table being read: each getter checks a field and records what is wrong with it.

    Getters return the value, or ``None`` when it is missing or wrong (the problem is recorded);
    :meth:`finish` records every key that no getter asked for.
    """

    def __init__(
        self,
        table: Mapping[str, Any],
        log: ProblemLog,
        file: str,
        *,
        item: str | None = None,
    ) -> None:
        self.values = table
        self.log = log
        self.file = file
        self.item = item
        self._asked: set[str] = set()

    def problem(self, field: str | None, message: str) -> None:
        """Record a problem with ``field`` of this table."""
        self.log.add(self.file, message, item=self.item, field=field)

    def _get(self, name: str, required: bool) -> Any:
        self._asked.add(name)
        value = self.values.get(name, _MISSING)
        if value is _MISSING and required:
            self.problem(name, "missing")
        return value

    def _wrong_type(self, name: str, expected: str, value: object) -> None:
        self.problem(name, f"expected {expected}, got {type_name(value)} {value!r}")

    def text(self, name: str, *, required: bool = True) -> str | None:
        """A string that is not blank."""
        value = self._get(name, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self._wrong_type(name, "a string", value)
            return None
        if not value.strip():
            self.problem(name, "is blank")
            return None
        return value

    def identifier(self, name: str, *, required: bool = True) -> str | None:
        """A string matching :data:`ID_PATTERN`."""
        value = self.text(name, required=required)
        if value is not None and not ID_PATTERN.fullmatch(value):
            self.problem(name, f"{value!r} is not an id (lower-case letters, digits, '-' and '_')")
            return None
        return value

    def integer(self, name: str, *, required: bool = True, default: int | None = None, minimum: int = 1) -> int | None:
        """An integer no smaller than ``minimum``; ``default`` when missing and not required."""
        value = self._get(name, required)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self._wrong_type(name, "an integer", value)
            return None
        if value < minimum:
            self.problem(name, f"must be at least {minimum}, got {value}")
            return None
        return value

    def number(self, name: str, *, default: float) -> float | None:
        """A positive number (integer or float); ``default`` when missing."""
        value = self._get(name, False)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self._wrong_type(name, "a number", value)
            return None
        if value <= 0:
            self.problem(name, f"must be positive, got {value}")
            return None
        return float(value)

    def boolean(self, name: str, *, default: bool) -> bool | None:
        """``true`` or ``false``; ``default`` when missing."""
        value = self._get(name, False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self._wrong_type(name, "true or false", value)
            return None
        return value

    def date(self, name: str, *, required: bool = True) -> datetime.date | None:
        """A TOML local date (``2018-02-07``) or a string in that form."""
        value = self._get(name, required)
        if value is _MISSING:
            return None
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                self.problem(name, f"{value!r} is not a date (write it as 2018-02-07)")
                return None
        if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
            self._wrong_type(name, "a date (2018-02-07)", value)
            return None
        return value

    def strings(self, name: str) -> tuple[str, ...] | None:
        """A non-empty array of strings, e.g. grades ``["B", "C"]``."""
        value = self._get(name, True)
        if value is _MISSING:
            return None
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self._wrong_type(name, 'a non-empty array of strings (["B", "C"])', value)
            return None
        return tuple(value)

    def identifiers(self, name: str, *, required: bool = True) -> tuple[str, ...] | None:
        """An array of ids without repeats; an empty tuple when missing and not required."""
        value = self._get(name, required)
        if value is _MISSING:
            return None if required else ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self._wrong_type(name, "an array of strings", value)
            return None
        bad = [v for v in value if not ID_PATTERN.fullmatch(v)]
        if bad:
            self.problem(name, f"not ids: {', '.join(map(repr, bad))}")
            return None
        repeated = sorted({v for v in value if value.count(v) > 1})
        if repeated:
            self.problem(name, f"listed more than once: {', '.join(map(repr, repeated))}")
            return None
        return tuple(value)

    def tables(self, name: str, *, required: bool = True) -> list[Mapping[str, Any]] | None:
        """An array of tables (``[[name]]``) that is not empty."""
        value = self._get(name, required)
        if value is _MISSING:
            return None
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self._wrong_type(name, f"an array of tables ([[{name}]])", value)
            return None
        if not value:
            self.problem(name, "is empty")
            return None
        return value

    def table(self, name: str) -> Mapping[str, Any]:
        """A table (``[name]``); an empty one when missing."""
        value = self._get(name, False)
        if value is _MISSING:
            return {}
        if not isinstance(value, dict):
            self._wrong_type(name, f"a table ([{name}])", value)
            return {}
        return value

    def finish(self, ignore: Collection[str] = ()) -> None:
        """Record every key of the table that no getter asked for."""
        for name in self.values:
            if name not in self._asked and name not in ignore:
                self.problem(name, "unknown field")
