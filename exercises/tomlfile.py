"""Read one TOML file of a package, recording a problem (with the line) instead of raising."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from exercises.problems import ProblemLog


def read_toml(path: Path, log: ProblemLog, *, shown: str) -> dict[str, Any] | None:
    """Return the file's top-level table, or None after recording why it cannot be read.

    ``shown`` is the file's name in problem messages.
    """
    if not path.is_file():
        log.add(shown, "file not found")
        return None
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as error:
        log.add(shown, f"not UTF-8: {error}")
    except tomllib.TOMLDecodeError as error:
        # The message ends with "(at line N, column M)".
        log.add(shown, f"bad TOML: {error}")
    return None
