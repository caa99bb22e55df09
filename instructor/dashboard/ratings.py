"""How the cohort rated each article's source against the instructor's Admiralty grades."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.admiralty import CREDIBILITY_WORDS, RELIABILITY_WORDS
from app.cohort_figures.scope import Scope, counted_attempts
from app.models import SourceRating
from scoring.types import RatingKey


@dataclass(frozen=True)
class GradeCount:
    """How many counted submissions gave one grade, and how the key regards that grade."""

    grade: str
    words: str
    count: int
    is_key: bool
    accepted: bool


@dataclass(frozen=True)
class RatingSpread:
    """The cohort's source ratings of one article beside the key's."""

    article: str
    title: str
    reliability: tuple[GradeCount, ...]
    credibility: tuple[GradeCount, ...]
    unrated: int
    """Counted submissions without a rating of the article (closed at a deadline)."""


def rating_spreads(db: Session, scope: Scope, ratings: Sequence[RatingKey], submissions: int) -> list[RatingSpread]:
    """Per article the key rates, how many counted submissions gave each grade (one grouped query)."""
    if not ratings:
        return []
    counted = counted_attempts(scope)
    reliability: dict[str, Counter[str]] = defaultdict(Counter)
    credibility: dict[str, Counter[str]] = defaultdict(Counter)
    query = (
        select(SourceRating.article_ref, SourceRating.reliability, SourceRating.credibility, func.count())
        .join(counted, counted.c.attempt_id == SourceRating.attempt_id)
        .group_by(SourceRating.article_ref, SourceRating.reliability, SourceRating.credibility)
    )
    for article, given_reliability, given_credibility, count in db.execute(query):
        reliability[article][given_reliability] += count
        credibility[article][given_credibility] += count
    titles = {article.ref: article.title for article in scope.exercise.articles}
    return [
        RatingSpread(
            article=key.article,
            title=titles.get(key.article, key.article),
            reliability=tuple(
                GradeCount(
                    grade,
                    words,
                    reliability[key.article][grade],
                    grade == key.reliability,
                    grade in key.accept_reliability,
                )
                for grade, words in RELIABILITY_WORDS.items()
            ),
            credibility=tuple(
                GradeCount(
                    grade,
                    words,
                    credibility[key.article][grade],
                    grade == key.credibility,
                    grade in key.accept_credibility,
                )
                for grade, words in CREDIBILITY_WORDS.items()
            ),
            unrated=submissions - sum(reliability[key.article].values()),
        )
        for key in ratings
    ]
