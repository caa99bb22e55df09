"""The whole dashboard of one exercise for one cohort, assembled from the figure modules."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.cohort_figures.heatmap import ArticleGlance, ArticleHeat, SpanCount, coverage, heatmaps_inline, read_spans
from app.cohort_figures.scope import Scope
from instructor.dashboard.attention import (
    Attention,
    FalsePositive,
    MissedItem,
    most_flagged_false_positives,
    most_missed,
    trainees_and_attention,
)
from instructor.dashboard.key_gaps import KeyExtents
from instructor.dashboard.outcomes import (
    CategoryFigures,
    Confusion,
    DecoyOutcome,
    ItemOutcome,
    OutlyingCount,
    StatusCount,
    category_figures,
    confusion_table,
    item_outcomes,
    item_status_counts,
    outlying_gaps,
    outlying_tallies,
)
from instructor.dashboard.ratings import RatingSpread, rating_spreads
from instructor.dashboard.score_history import Rescore, rescores
from instructor.dashboard.standing import cohort_standing
from instructor.dashboard.summary import Completion, ScoreSummary, completion, summarise
from instructor.dashboard.trainees import TraineePage
from scoring.types import KeyItem, RatingKey

HARDEST_SHOWN = 10
"""Key items the item table shows until "show all"."""


@dataclass
class Dashboard:
    """Everything the dashboard page shows for one cohort × exercise."""

    scope: Scope
    completion: Completion
    summary: ScoreSummary
    items: list[ItemOutcome]
    decoys: list[DecoyOutcome]
    categories: list[CategoryFigures]
    confusion: Confusion
    heat: list[ArticleHeat]
    """Every article's heatmap when the exercise is small enough to show them inline, else none."""
    glances: list[ArticleGlance]
    """Otherwise a line per article, its heatmap loaded from `routes.article_heatmap` when opened."""
    trainees: TraineePage
    status_counts: list[StatusCount]
    spans: list[SpanCount]
    """The span tallies: every one when the heatmaps are inline, else those that touch no key item
    (all the key gaps read)."""
    ratings: list[RatingSpread]
    rescores: list[Rescore]
    outlying: list[OutlyingCount]
    missed: list[MissedItem]
    false_positives: list[FalsePositive]
    attention: Attention

    @property
    def hardest(self) -> list[ItemOutcome]:
        """The ten hardest items, which the item table shows before "show all"."""
        return self.items[:HARDEST_SHOWN]

    def chart_data(self) -> dict[str, Any]:
        """What dashboard.js draws, handed over as JSON."""
        return {
            "histogram": {"labels": self.summary.histogram_labels, "counts": list(self.summary.histogram)},
        }


def build_dashboard(
    db: Session, scope: Scope, key_items: Sequence[KeyItem], ratings: Sequence[RatingKey] = (), *, page: int = 1
) -> Dashboard:
    """Run the dashboard's queries for ``scope`` under the given (current) key items and ratings."""
    standing = cohort_standing(db, scope)
    summary = summarise(standing)
    counts = item_status_counts(db, scope)
    inline = heatmaps_inline(scope.exercise)
    spans, span_sums = read_spans(db, scope, leave_out=None if inline else KeyExtents(key_items).touch)
    items, decoys = item_outcomes(counts, key_items, summary.submissions)
    categories = scope.exercise.categories
    texts = {article.ref: article.text for article in scope.exercise.articles}
    outlying = outlying_tallies(db, scope)
    trainees, attention = trainees_and_attention(db, scope, standing, page, summary.median_false_positives)
    articles = scope.exercise.articles
    return Dashboard(
        scope=scope,
        completion=completion(standing),
        summary=summary,
        items=items,
        decoys=decoys,
        categories=category_figures(counts, span_sums.by_category, key_items, categories, summary.submissions),
        confusion=confusion_table(counts, key_items, categories, summary.submissions),
        heat=coverage(articles, spans, key_items, summary.submissions) if inline else [],
        glances=[] if inline else span_sums.glances(articles),
        trainees=trainees,
        status_counts=counts,
        spans=spans,
        ratings=rating_spreads(db, scope, ratings, summary.submissions),
        rescores=rescores(db, scope),
        outlying=outlying,
        missed=most_missed(items, texts),
        false_positives=most_flagged_false_positives(
            outlying, texts, key_items, functools.partial(outlying_gaps, db, scope)
        ),
        attention=attention,
    )
