"""What instructors add to trainees' debriefs: comments and points on flags, and the cohort view."""

from __future__ import annotations

from instructor.debriefs.routes import blueprint

__all__ = ["blueprint"]
