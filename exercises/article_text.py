"""Turn an uploaded article (.txt, .md, .html) into the plain text an exercise stores.

HTML is reduced with the standard library's parser: block elements become paragraph breaks,
line breaks stay, scripts, styles and other non-content elements are dropped, and runs of
spaces inside a paragraph are collapsed. Text files are kept as written (Windows line endings
become ``\\n``). Offsets of key items index into the result, so it is computed once, on upload.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import PurePath

from exercises.storable import PROBLEM, is_storable

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES

_BLOCKS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tr",
    "ul",
}
_DROPPED = {"script", "style", "noscript", "template", "head", "title", "svg", "iframe", "object", "canvas"}
_SPACES = re.compile(r"[ \t\r\f\v]+")


class UploadError(ValueError):
    """An uploaded article cannot be read; the message says why."""


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML document, marking paragraph and line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self._dropping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self._dropping = max(0, self._dropping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            # Source line breaks inside a paragraph are only spaces in HTML.
            self.parts.append(data.replace("\n", " "))


def html_to_text(html: str) -> str:
    """The readable text of an HTML document, paragraphs separated by one blank line."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    paragraphs = []
    for block in "".join(parser.parts).split("\n\n"):
        lines = [_SPACES.sub(" ", line).strip() for line in block.split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


def normalise_text(text: str) -> str:
    """Pasted or uploaded plain text: one kind of line ending, no trailing blank lines."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")


def upload_text(filename: str, data: bytes) -> str:
    """The article text of an uploaded file, by its suffix; :class:`UploadError` if unreadable."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise UploadError(f"{filename}: expected a .txt, .md or .html file")
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UploadError(f"{filename}: not UTF-8 text ({error.reason} at byte {error.start})") from error
    if not is_storable(decoded):
        raise UploadError(f"{filename}: {PROBLEM}")
    text = html_to_text(decoded) if suffix in HTML_SUFFIXES else normalise_text(decoded)
    if not text.strip():
        raise UploadError(f"{filename}: no text in the file")
    return text
