"""The instructor dashboard: one exercise's figures for one cohort, key gaps, trainees' results and exports."""

from __future__ import annotations

from instructor.dashboard.routes import blueprint

__all__ = ["blueprint"]
