"""Exercise packages (data folders beside this module) and the loader that validates them.

Nothing here imports the web app: validation and offline scoring run without it.
"""

from exercises.keyfile import validate_key
from exercises.loader import DEFAULT_CONTENT_DIR, PACKAGES_DIR, load_package, package_dirs
from exercises.problems import PackageError, Problem
from exercises.types import Article, Category, ConflictGroup, ExercisePackage

__all__ = [
    "DEFAULT_CONTENT_DIR",
    "PACKAGES_DIR",
    "Article",
    "Category",
    "ConflictGroup",
    "ExercisePackage",
    "PackageError",
    "Problem",
    "load_package",
    "package_dirs",
    "validate_key",
]
