"""CSV downloads safe to open in a spreadsheet: every text cell that would run as a formula is quoted."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is a formula to a spreadsheet (CSV injection)."""

BOM = "\ufeff"
"""Excel reads a CSV as UTF-8 only when it starts with a byte order mark (quotes hold ’ and –)."""

ROWS_PER_CHUNK = 1000


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, prefixed with a quote so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(rows: Iterable[Sequence[Any]], *, excel: bool = False) -> Iterator[str]:
    """Write ``rows`` as CSV text, a chunk at a time, every text cell made formula-safe; for
    ``excel``, behind a byte order mark so that Excel reads it as UTF-8."""
    if excel:
        yield BOM
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for number, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(value) for value in row])
        if number % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
