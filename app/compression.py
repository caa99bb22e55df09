"""Compress static CSS, JavaScript and SVG responses (gzip) with Flask-Compress.

Pages and API responses are not compressed: they carry the CSRF token and trainees' work next to
text an attacker may choose (a note, a name), which is what BREACH needs to read a secret from
compressed sizes. Static files hold no secret, and they are most of the bytes a page loads.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress

COMPRESSED_TYPES = ["text/css", "text/javascript", "application/javascript", "image/svg+xml"]


def init_app(app: Flask) -> None:
    """Compress static text files for browsers that accept gzip."""
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["gzip"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    # Only static files, chosen below; Flask-Compress's own hook would take every response.
    app.config.setdefault("COMPRESS_REGISTER", False)
    compress = Compress(app)

    @app.after_request
    def _compress_static(response: Response) -> Response:
        """Read a static text file into memory (they are small) and compress it; the file is still
        closed when the response is (Werkzeug's make_sequence keeps its close)."""
        if request.endpoint == "static" and response.mimetype in COMPRESSED_TYPES and response.status_code == 200:
            response.direct_passthrough = False
            response.make_sequence()
            return compress.after_request(response)
        return response
