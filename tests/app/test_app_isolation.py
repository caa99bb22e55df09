"""app/ depends on instructor/ only where the factory wires the packages together."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
FACTORY = APP / "__init__.py"


def imported_packages(source: str) -> set[str]:
    """The top-level packages a module's import statements name, wherever in the module they stand."""
    packages: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            packages.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            packages.add(node.module.split(".")[0])
    return packages


def test_imported_packages_sees_every_form_of_import():
    source = "import instructor.demo\ndef f():\n    from instructor import cohorts\n"
    assert imported_packages(source) == {"instructor"}
    assert imported_packages("from app import db\nimport scoring") == {"app", "scoring"}


def test_only_the_app_factory_imports_instructor():
    modules = sorted(APP.rglob("*.py"))
    assert FACTORY in modules
    assert "instructor" in imported_packages(FACTORY.read_text(encoding="utf-8"))
    importers = [
        str(path.relative_to(APP.parent))
        for path in modules
        if path != FACTORY and "instructor" in imported_packages(path.read_text(encoding="utf-8"))
    ]
    assert importers == []
