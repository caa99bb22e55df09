"""Authoring exercises in the app: create, edit the key, rate sources, publish, share and import."""

from __future__ import annotations

from instructor.authoring.cli import export_exercise, import_exercise
from instructor.authoring.routes import blueprint

commands = (export_exercise, import_exercise)
"""The ``crosscheck`` commands that share exercises as package zips."""

__all__ = ["blueprint", "commands"]
