"""Problems found in an exercise package, and the one exception that carries them all."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a package: where it is (file, item, field) and what is wrong."""

    file: str
    message: str
    item: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        place = [self.file]
        if self.item is not None:
            place.append(f"item {self.item!r}")
        if self.field is not None:
            place.append(f"field {self.field!r}")
        return f"{': '.join(place)}: {self.message}"


class PackageError(Exception):
    """An exercise package (or an in-app key) is invalid; ``problems`` lists every reason."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{len(problems)} problem(s):\n{lines}")


class ProblemLog:
    """Collects problems while a package is read, so one error can report them all."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        """Things that load but an author should look at (e.g. a key item's derived core)."""

    def add(self, file: str, message: str, *, item: str | None = None, field: str | None = None) -> None:
        """Record one problem."""
        self.problems.append(Problem(file=file, message=message, item=item, field=field))

    def warning(self, file: str, message: str, *, item: str | None = None, field: str | None = None) -> None:
        """Record one warning: the package loads, but the author should check this."""
        self.warnings.append(Problem(file=file, message=message, item=item, field=field))

    def raise_if_any(self) -> None:
        """Raise :class:`PackageError` with everything recorded, if anything was."""
        if self.problems:
            raise PackageError(tuple(self.problems))
