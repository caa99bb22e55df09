"""An exercise of many articles made in the tests: the mini exercise's two articles copied again
and again, each copy with its own key items and conflict groups, so that every figure the
workspace and the dashboard show for one article is there for each of them."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import tomli_w

from tests.conftest import MINI_PACKAGE


def many_articles_package(root: Path, copies: int) -> Path:
    """Write an exercise of ``copies`` copies of the mini exercise (2 × ``copies`` articles) under ``root``."""
    slug = f"mini-times-{copies}"
    package = root / slug
    (package / "articles").mkdir(parents=True)
    manifest = tomllib.loads((MINI_PACKAGE / "exercise.toml").read_text(encoding="utf-8"))
    key = tomllib.loads((MINI_PACKAGE / "key.toml").read_text(encoding="utf-8"))
    refs = [f"{ref}-{copy}" for copy in range(copies) for ref in manifest["articles"]]
    for copy in range(copies):
        for ref in manifest["articles"]:
            shutil.copyfile(MINI_PACKAGE / "articles" / f"{ref}.txt", package / "articles" / f"{ref}-{copy}.txt")
            sidecar = tomllib.loads((MINI_PACKAGE / "articles" / f"{ref}.toml").read_text(encoding="utf-8"))
            sidecar["id"] = f"{ref}-{copy}"
            sidecar["title"] = f"{sidecar['title']} ({copy + 1})"
            (package / "articles" / f"{ref}-{copy}.toml").write_text(tomli_w.dumps(sidecar), encoding="utf-8")
    manifest.update(slug=slug, title=f"The mini exercise {copies} times", articles=refs)
    copied_key = {
        "groups": {f"{group}-{copy}": value for copy in range(copies) for group, value in key["groups"].items()},
        "items": [
            {
                **item,
                "id": f"{item['id']}-{copy}",
                "article": f"{item['article']}-{copy}",
                **({"group": f"{item['group']}-{copy}"} if "group" in item else {}),
            }
            for copy in range(copies)
            for item in key["items"]
        ],
    }
    (package / "exercise.toml").write_text(tomli_w.dumps(manifest), encoding="utf-8")
    (package / "key.toml").write_text(tomli_w.dumps(copied_key), encoding="utf-8")
    return package
