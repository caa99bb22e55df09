"""The cohorts blueprint: cohorts, join codes, trainees, co-instructors and the exercises set for them."""

from __future__ import annotations

from instructor.cohorts.routes import blueprint

__all__ = ["blueprint"]
