"""The cohort's progress between two exercises it was set: the view, its chart and its exports."""

from __future__ import annotations

from instructor.progress.routes import blueprint

__all__ = ["blueprint"]
