"""Discernment and calibration of a stored submission, for the debrief, the API and the exports.

Both are worked out by ``scoring`` from the stored report (and, for calibration, the confidence
stored on each flag), so they are never stored themselves and always follow the current score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Flask

from app.models import Flag
from scoring.calibration import Calibration, measure_calibration, outcomes_of
from scoring.discernment import Discernment, describe, measure_discernment
from scoring.report import Report


def discernment_of(report: Report) -> Discernment:
    """The discernment of one scored submission."""
    return measure_discernment(report.items)


def discernment_json(discernment: Discernment) -> dict[str, Any]:
    """A discernment as the JSON API and the exports give it, with its plain-language reading."""
    return {
        "problems": discernment.problems,
        "hits": discernment.hits,
        "sound_passages": discernment.sound_passages,
        "false_alarms": discernment.false_alarms,
        "hit_rate": discernment.hit_rate,
        "false_alarm_rate": discernment.false_alarm_rate,
        "d_prime": discernment.d_prime,
        "criterion": discernment.criterion,
        "measurable": discernment.measurable,
        "reason": discernment.reason,
        "reading": describe(discernment),
    }


def calibration_of(report: Report, flags: Sequence[Flag]) -> Calibration:
    """The calibration of one scored submission: its flags' stored confidences against the report."""
    return measure_calibration(outcomes_of(report.flags), {flag.client_id: flag.confidence for flag in flags})


def calibration_json(calibration: Calibration) -> dict[str, Any]:
    """A calibration as the JSON API gives it: the Brier score and the reliability table."""
    return {
        "rated": calibration.rated,
        "unrated": calibration.unrated,
        "brier": calibration.brier,
        "reliability": [
            {
                "confidence": row.level,
                "label": row.label,
                "probability": row.probability,
                "flags": row.flags,
                "right": row.right,
                "right_share": row.right_share,
            }
            for row in calibration.rows
        ],
    }


def init_app(app: Flask) -> None:
    app.add_template_global(discernment_of, "discernment_of")
    app.add_template_global(calibration_of, "calibration_of")
    app.add_template_filter(describe, "discernment_reading")
