"""Find and read the articles a package names: its own ``articles/`` folder first, then ``content/``."""

from __future__ import annotations

from pathlib import Path

from exercises.fields import Fields
from exercises.problems import ProblemLog
from exercises.tomlfile import read_toml
from exercises.types import Article

ARTICLE_FIELDS = ("id", "title", "byline", "outlet", "event_date", "published", "language", "provenance", "tracing")
"""The fields of an article's TOML sidecar."""


def article_files(article_id: str, package: Path, content_dir: Path) -> tuple[Path, Path]:
    """Return the text and sidecar paths for ``article_id``.

    A package that carries the article in ``<package>/articles/`` (either file present) wins over
    the shared ``content_dir``, so a self-contained package stays self-contained.
    """
    for folder in (package / "articles", content_dir):
        text, sidecar = folder / f"{article_id}.txt", folder / f"{article_id}.toml"
        if text.exists() or sidecar.exists():
            return text, sidecar
    return content_dir / f"{article_id}.txt", content_dir / f"{article_id}.toml"


def read_article(
    article_id: str, text_path: Path, sidecar_path: Path, log: ProblemLog, *, shown: str
) -> tuple[Article | None, bytes, bytes]:
    """Read one article and its sidecar; return it (None on problems) and both files' bytes.

    ``shown`` is the folder name used in problem messages (``content`` or ``<package>/articles``).
    """
    text_name, sidecar_name = f"{shown}/{text_path.name}", f"{shown}/{sidecar_path.name}"
    problems_before = len(log.problems)
    text = None
    raw_text = b""
    if not text_path.is_file():
        log.add(text_name, "article text not found", item=article_id)
    else:
        raw_text = text_path.read_bytes()
        # Bytes decoded as they are: no newline translation, so offsets match the file.
        try:
            text = raw_text.decode("utf-8")
        except UnicodeDecodeError as error:
            log.add(text_name, f"not UTF-8: {error}", item=article_id)
    raw_sidecar = sidecar_path.read_bytes() if sidecar_path.is_file() else b""
    table = read_toml(sidecar_path, log, shown=sidecar_name)
    if table is None:
        return None, raw_text, raw_sidecar
    fields = Fields(table, log, sidecar_name, item=article_id)
    sidecar_id = fields.identifier("id")
    if sidecar_id is not None and sidecar_id != article_id:
        fields.problem("id", f"is {sidecar_id!r} but the file is named for {article_id!r}")
    title = fields.text("title")
    byline = fields.text("byline", required=False)
    outlet = fields.text("outlet", required=False)
    event_date = fields.date("event_date")
    published = fields.date("published", required=False)
    language = fields.text("language")
    provenance = fields.text("provenance")
    tracing = fields.text("tracing", required=False)
    fields.finish()
    if (
        len(log.problems) > problems_before
        or text is None
        or title is None
        or event_date is None
        or language is None
        or provenance is None
    ):
        return None, raw_text, raw_sidecar
    article = Article(
        id=article_id,
        title=title,
        byline=byline,
        outlet=outlet,
        event_date=event_date,
        published=published,
        language=language,
        provenance=provenance,
        tracing=tracing or "",
        text=text,
    )
    return article, raw_text, raw_sidecar
