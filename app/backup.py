"""Whole-instance backups: every table to one JSON file and back, on SQLite and PostgreSQL alike.

The file lists the schema revision it was taken at; it can be restored only into an empty
database migrated to that same revision, in one transaction, so a failed restore leaves nothing.
The audit trail travels with the rest, and a restore adds its own event to it.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

from alembic.migration import MigrationContext
from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    Table,
    bindparam,
    func,
    insert,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from app import audit
from app.models import Base

BACKUP_FORMAT = "crosscheck-backup"
BACKUP_VERSION = 1
INSERT_BATCH = 1000


class BackupError(ValueError):
    """The backup file cannot be restored here; the message says why."""


def _open(path: Path, mode: Literal["r", "w"]) -> IO[str]:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, mode), encoding="utf-8")
    return path.open(mode, encoding="utf-8")


def _schema_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def _stored(column: Column[Any]) -> Any:
    """The column as the database holds it: a typed JSON column (e.g. categories) as its JSON."""
    if isinstance(column.type, TypeDecorator):
        return type_coerce(column, column.type.impl).label(column.name)
    return column


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        # SQLite hands back naive datetimes for what PostgreSQL returns in UTC: write both alike.
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return value


def export_all(engine: Engine, path: Path) -> dict[str, int]:
    """Write every row of every table to ``path`` (gzip when it ends in .gz); return row counts."""
    counts: dict[str, int] = {}
    with engine.connect() as connection, _open(path, "w") as out:
        header = {"format": BACKUP_FORMAT, "version": BACKUP_VERSION, "schema_revision": _schema_revision(connection)}
        out.write(json.dumps(header)[:-1] + ', "tables": {')
        for index, table in enumerate(_tables()):
            columns = [column.name for column in table.columns]
            out.write(("," if index else "") + f"\n{json.dumps(table.name)}: " + "{")
            out.write(f'"columns": {json.dumps(columns)}, "rows": [')
            count = 0
            ordering = list(table.primary_key.columns) or list(table.columns)
            result = connection.execution_options(yield_per=INSERT_BATCH).execute(
                select(*(_stored(column) for column in table.columns)).order_by(*ordering)
            )
            for row in result:
                out.write(("," if count else "") + "\n" + json.dumps([_plain(value) for value in row]))
                count += 1
            out.write("]}")
            counts[table.name] = count
        out.write("\n}}\n")
    return counts


def import_all(engine: Engine, path: Path) -> dict[str, int]:
    """Restore a backup into an empty database at the same schema revision; return the restored
    row counts. Needs an app context (the audit trail reads the app's clock)."""
    try:
        with _open(path, "r") as source:
            backup = json.load(source)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, EOFError, gzip.BadGzipFile) as error:
        raise BackupError(f"{path}: not a readable backup file ({error})") from error
    if not isinstance(backup, dict) or backup.get("format") != BACKUP_FORMAT:
        raise BackupError(f"{path}: not a Crosscheck backup")
    if backup.get("version") != BACKUP_VERSION:
        raise BackupError(f"{path}: backup format version {backup.get('version')!r}, expected {BACKUP_VERSION}")
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        revision = _schema_revision(connection)
        if revision != backup.get("schema_revision"):
            raise BackupError(
                f"the backup was taken at schema revision {backup.get('schema_revision')!r} but this "
                f"database is at {revision!r}; run `crosscheck upgrade-db` on a matching version first"
            )
        tables = backup.get("tables") or {}
        for table in _tables():
            if connection.scalar(select(func.count()).select_from(table)):
                raise BackupError(f"table {table.name} is not empty: restore only into an empty database")
        for table in _tables():
            counts[table.name] = _restore_table(connection, table, tables.get(table.name))
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection)
        with Session(bind=connection) as session:
            detail = {"file": path.name, "rows": sum(counts.values()), "taken_at_revision": revision}
            audit.record(session, None, "instance.restored", detail=detail)
            session.commit()
    return counts


def _restore_table(connection: Connection, table: Table, data: dict[str, Any] | None) -> int:
    if not data:
        return 0
    columns = data.get("columns") or []
    unknown = set(columns) - set(table.columns.keys())
    if unknown:
        raise BackupError(f"table {table.name}: unknown columns {sorted(unknown)}")
    datetimes = {name for name in columns if isinstance(table.columns[name].type, DateTime)}
    rows = data.get("rows") or []
    # Typed JSON columns are restored as the JSON the file holds, as the backup read them.
    typed = {
        name: bindparam(name, type_=table.columns[name].type.impl)
        for name in columns
        if isinstance(table.columns[name].type, TypeDecorator)
    }
    for batch in _batches(rows):
        records = []
        for row in batch:
            record = dict(zip(columns, row, strict=True))
            for name in datetimes:
                if record[name] is not None:
                    record[name] = datetime.fromisoformat(record[name])
            records.append(record)
        connection.execute(insert(table).values(typed), records)
    return len(rows)


def _batches(rows: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(rows), INSERT_BATCH):
        yield rows[start : start + INSERT_BATCH]


def _reset_sequences(connection: Connection) -> None:
    """Point each id sequence past the restored rows, so new rows don't collide with them."""
    for table in _tables():
        keys = list(table.primary_key.columns)
        if len(keys) == 1 and isinstance(keys[0].type, Integer) and keys[0].autoincrement in (True, "auto"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{keys[0].name}'), "
                    f"COALESCE((SELECT MAX({keys[0].name}) FROM {table.name}), 0) + 1, false)"
                )
            )
