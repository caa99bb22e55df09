"""Compress HTML, JSON, CSS and JavaScript responses (gzip or brotli) with Flask-Compress."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress

COMPRESSED_TYPES = ["text/html", "application/json", "text/css", "text/javascript", "application/javascript"]


def init_app(app: Flask) -> None:
    """Compress the text responses a browser accepts compressed (Accept-Encoding)."""
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["gzip"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    # Streamed responses stay as they are: the exports are written as they are read, and
    # Flask-Compress's stream mode leaves a static file's handle open.
    app.config.setdefault("COMPRESS_STREAMS", False)
    Compress(app)

    # Registered after Compress, so it runs before it (after-request functions run in reverse).
    @app.after_request
    def _read_static_text(response: Response) -> Response:
        """Read a static CSS or JS file into memory so that it can be compressed (they are small);
        the file is still closed when the response is (Werkzeug's make_sequence keeps its close)."""
        if request.endpoint == "static" and response.mimetype in COMPRESSED_TYPES and response.status_code == 200:
            response.direct_passthrough = False
            response.make_sequence()
        return response
