"""The progress measures of stored scores, read in bulk: each key item's credit from the score's
item rows, the items' categories and points from its key version, and discernment and calibration
from its report when they are there.

Rebuilding whole reports costs about 5 ms each for the seed exercise; this reads only what
progress needs, so a cohort's two exercises cost a few queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import KeyVersion, Score, ScoreItem
from app.progress import CALIBRATION_FIELD, DISCERNMENT_FIELD, Measures, category_results, stored_number


def measures_of(db: Session, score_ids: Collection[int]) -> dict[int, Measures]:
    """The measures of each score in ``score_ids``, by score id."""
    if not score_ids:
        return {}
    rows = db.execute(
        select(
            Score.id,
            Score.key_version_id,
            Score.score,
            Score.report[DISCERNMENT_FIELD].label("discernment"),
            Score.report[CALIBRATION_FIELD].label("calibration"),
        ).where(Score.id.in_(score_ids))
    ).all()
    keys = {
        version.id: version.items
        for version in db.scalars(select(KeyVersion).where(KeyVersion.id.in_({row.key_version_id for row in rows})))
    }
    credits: dict[int, dict[str, float]] = defaultdict(dict)
    for score_id, item_id, credit in db.execute(
        select(ScoreItem.score_id, ScoreItem.item_id, ScoreItem.credit).where(ScoreItem.score_id.in_(score_ids))
    ):
        credits[score_id][item_id] = credit
    return {
        row.id: Measures(
            score=row.score,
            categories=category_results(keys[row.key_version_id], credits[row.id]),
            discernment=stored_number(row.discernment, "d_prime"),
            brier=stored_number(row.calibration, "brier"),
        )
        for row in rows
    }
