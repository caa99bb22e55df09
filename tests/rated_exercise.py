"""The mini exercise made into one that asks for source ratings, as the seed exercise does."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app import db
from app.grading import current_key_version
from app.models import Article
from scoring.types import RatingKey

MINI_RATINGS = (
    RatingKey("mini-a", "B", "2", ("B", "C"), ("2", "3"), "A named wire reporter; the figures are attributed."),
    RatingKey("mini-b", "F", "4", ("D", "E", "F"), ("4",), "Unsigned <b>tabloid</b>: no record to judge."),
)
MINI_TRACING = "Search a distinctive phrase; compare the <i>wire</i> original."


def rate_sources(app: Flask, exercise_id: int) -> None:
    """Give the exercise's current key the instructor's ratings, and its first article a
    publication date and a note on tracing it (markup in both, to prove it is escaped)."""
    with app.app_context():
        session = db.session()
        version = current_key_version(session, exercise_id)
        version.ratings = MINI_RATINGS
        article = session.scalar(select(Article).where(Article.exercise_id == exercise_id, Article.ref == "mini-a"))
        assert article is not None
        article.published = "2018-02-14"
        article.tracing = MINI_TRACING
        session.commit()


def rating_form(
    reliability_a: str = "C", credibility_a: str = "2", reliability_b: str = "E", credibility_b: str = "5"
) -> dict[str, str]:
    """A valid submit form for the rated mini exercise (mini-a, then mini-b)."""
    return {
        "ratings-0-reliability": reliability_a,
        "ratings-0-credibility": credibility_a,
        "ratings-0-reason": "Named wire reporter, attributed figures.",
        "ratings-1-reliability": reliability_b,
        "ratings-1-credibility": credibility_b,
        "ratings-1-reason": "Unsigned, nothing to check.",
    }
