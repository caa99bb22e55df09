"""Text every database here can store: PostgreSQL refuses NUL, and no encoding holds a lone surrogate.

Form fields, JSON bodies and uploaded files all pass this one check at the edge, so bad text is a
400 that names where it was, never a driver error (a 500) halfway through a write.
"""

from __future__ import annotations

import re

UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
PROBLEM = "contains a null character or a lone surrogate"


def is_storable(text: str) -> bool:
    """Whether ``text`` holds neither NUL nor a lone surrogate."""
    return UNSTORABLE.search(text) is None
