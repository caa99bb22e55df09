"""Streamed exports of a cohort's results and flags, as CSV (safe to open in a spreadsheet) and JSON.

Rows are read in batches and written as they come, so a cohort of thousands never sits in memory
as one document.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from app import feedback, grading
from app.cohort_figures.scope import Scope, current_scores
from app.formatting import whole_score
from app.models import (
    Attempt,
    FeedbackComment,
    FeedbackPoints,
    FeedbackTarget,
    Flag,
    KeyVersion,
    Score,
    ScoreItem,
    SourceRating,
    User,
    cohort_trainees,
    flag_links,
)
from instructor.dashboard import judgement
from scoring.metrics import detection
from scoring.types import KeyItem

BATCH = 1000

FLAG_COLUMNS = (
    "username",
    "display_name",
    "exercise",
    "attempt",
    "submitted_at",
    "late",
    "flag_id",
    "article",
    "start",
    "end",
    "category",
    "quote",
    "note",
    "links",
    "outcome",
    "matched_item",
    "points",
    "d_prime",
    "confidence",
    "instructor_points",
    "instructor_comments",
)
"""``outcome``, ``matched_item`` and ``points`` say what the attempt's current score made of the
flag: its `flag_outcome`, the quote of the key item it matched (or the decoy it hit, or the item it
barely missed) and the points it earned (its credit less its penalty). ``d_prime`` is the whole
submission's discernment (`scoring.discernment`), empty when the key makes it not measurable;
``confidence`` the trainee's (`scoring.calibration.CONFIDENCE_SCALE` id), empty when not given.
``instructor_points`` are the discretionary points an instructor gave on it (None: none),
``instructor_comments`` the comments on the flag and on its note (in CSV one per line, "on the
note:" marking the latter)."""

ITEM_STATUS_OUTCOME = {
    "found": "found",
    "partial": "partial",
    "wrong_category": "wrong category",
    "lone_figure": "lone figure",
}
FLAG_OUTCOME_WORDS = {
    "decoy": "decoy",
    "duplicate": "false positive",
    "not_in_key": "false positive",
    "insufficient_overlap": "near miss",
}


def result_columns(categories: Sequence[str], rated_articles: Sequence[str] = ()) -> list[str]:
    """The header of the results export: fixed columns (discernment among them), five per category,
    the rating credit, then for each article a key rates the trainee's reliability and credibility
    grades, their reason (how they would verify the source) and the instructor's comments on it."""
    columns = [
        "username",
        "display_name",
        "demo",
        "exercise",
        "status",
        "attempt",
        "started_at",
        "submitted_at",
        "late",
        "seconds",
        "score",
        "score_exact",
        "precision",
        "recall",
        "f1",
        "d_prime",
        "hit_rate",
        "false_alarm_rate",
        "brier",
    ]
    for category in categories:
        columns += [f"{category}_{name}" for name in ("correct", "flagged", "expected", "precision", "recall")]
    columns.append("rating_credit")
    for article in rated_articles:
        columns += [
            f"{article}_reliability",
            f"{article}_credibility",
            f"{article}_reason",
            f"{article}_instructor_comments",
        ]
    # The automatic score is ``score``; the instructor's points come on top of it (app.feedback).
    columns += ["instructor_points", "final_score"]
    return columns


def cohort_categories(scopes: Sequence[Scope]) -> list[str]:
    """Every category of the cohort's exercises, in first-seen order."""
    seen: dict[str, None] = {}
    for scope in scopes:
        for category in scope.exercise.categories:
            seen.setdefault(category.id, None)
    return list(seen)


def rated_articles(db: Session, scopes: Sequence[Scope]) -> list[str]:
    """Every article the current keys of the cohort's exercises rate, in first-seen order."""
    seen: dict[str, None] = {}
    for scope in scopes:
        for rating in grading.current_key_version(db, scope.exercise.id).ratings:
            seen.setdefault(rating.article, None)
    return list(seen)


def result_rows(db: Session, scopes: Sequence[Scope]) -> Iterator[list[Any]]:
    """One row per trainee and exercise of the cohort, the header first."""
    categories = cohort_categories(scopes)
    articles = rated_articles(db, scopes)
    yield result_columns(categories, articles)
    for scope in scopes:
        yield from _exercise_result_rows(db, scope, categories, articles)


def _exercise_result_rows(
    db: Session, scope: Scope, categories: Sequence[str], articles: Sequence[str]
) -> Iterator[list[Any]]:
    key = grading.current_key_version(db, scope.exercise.id).items
    real = [item for item in key if not item.decoy]
    expected: dict[str, int] = defaultdict(int)
    for item in real:
        expected[item.category] += 1
    correct = _correct_by_attempt(db, scope, real)
    flagged = _flagged_by_attempt(db, scope)
    ratings = _ratings_by_attempt(db, scope)
    rating_comments = _rating_comments_by_attempt(db, scope)
    discernment = judgement.discernment_by_attempt(db, scope)
    calibration = judgement.calibration_by_attempt(db, scope)
    current = current_scores(scope)
    given_points = _instructor_points_by_attempt(db, scope)
    started = (
        select(Attempt.user_id)
        .where(
            Attempt.cohort_id == scope.cohort.id, Attempt.exercise_id == scope.exercise.id, Attempt.user_id == User.id
        )
        .correlate(User)
        .exists()
    )
    query = (
        select(
            User.username,
            User.display_name,
            User.is_demo,
            current.c.attempt_id,
            Attempt.number,
            current.c.started_at,
            current.c.submitted_at,
            current.c.late,
            current.c.seconds,
            current.c.score,
            current.c.precision,
            current.c.recall,
            current.c.f1,
            started,
            Score.report[("totals", "rating_credit")].as_float(),
        )
        .join(cohort_trainees, cohort_trainees.c.user_id == User.id)
        .outerjoin(current, current.c.user_id == User.id)
        .outerjoin(Attempt, Attempt.id == current.c.attempt_id)
        .outerjoin(Score, Score.id == current.c.score_id)
        .where(cohort_trainees.c.cohort_id == scope.cohort.id)
        .order_by(User.username)
        .execution_options(yield_per=BATCH)
    )
    for (
        username,
        name,
        demo,
        attempt_id,
        number,
        started_at,
        submitted_at,
        late,
        seconds,
        score,
        precision,
        recall,
        f1,
        has_started,
        rating_credit,
    ) in db.execute(query):
        status = "submitted" if attempt_id is not None else "in progress" if has_started else "not started"
        row: list[Any] = [
            username,
            name,
            "yes" if demo else "no",
            scope.exercise.slug,
            status,
            number,
            _iso(started_at),
            _iso(submitted_at),
            _yes_no(late),
            _rounded(seconds, 0),
            None if score is None else whole_score(score),
            _rounded(score, 2),
            _rounded(precision, 4),
            _rounded(recall, 4),
            _rounded(f1, 4),
        ]
        measured = discernment.get(attempt_id) if attempt_id is not None else None
        if measured is None:
            row += [None] * 3
        else:
            row += [
                _rounded(measured.d_prime, 4),
                _rounded(measured.hit_rate, 4),
                _rounded(measured.false_alarm_rate, 4),
            ]
        calibrated = calibration.get(attempt_id) if attempt_id is not None else None
        row.append(_rounded(calibrated.brier, 4) if calibrated is not None else None)
        for category in categories:
            if attempt_id is None or category not in expected and not flagged[attempt_id].get(category):
                row += [None] * 5
                continue
            figures = detection(
                category,
                correct[attempt_id].get(category, 0),
                flagged[attempt_id].get(category, 0),
                expected.get(category, 0),
            )
            row += [
                figures.correct,
                figures.flagged,
                figures.expected,
                _rounded(figures.precision, 4),
                _rounded(figures.recall, 4),
            ]
        row.append(_rounded(rating_credit, 2))
        given = ratings.get(attempt_id, {}) if attempt_id is not None else {}
        commented = rating_comments.get(attempt_id, {}) if attempt_id is not None else {}
        for article in articles:
            row += list(given.get(article, (None, None, None)))
            row.append("\n".join(commented[article]) if article in commented else None)
        if score is None:
            row += [None, None]
        else:
            extra = given_points.get(attempt_id, 0.0)
            row += [_rounded(extra, 2), whole_score(feedback.final_score(score, extra))]
        yield row


def _instructor_points_by_attempt(db: Session, scope: Scope) -> dict[int, float]:
    """Per counted attempt: the sum of the instructor's discretionary points."""
    current = current_scores(scope)
    query = (
        select(FeedbackPoints.attempt_id, func.sum(FeedbackPoints.points))
        .join(current, current.c.attempt_id == FeedbackPoints.attempt_id)
        .group_by(FeedbackPoints.attempt_id)
    )
    return {attempt_id: float(total) for attempt_id, total in db.execute(query)}


def _ratings_by_attempt(db: Session, scope: Scope) -> dict[int, dict[str, tuple[str, str, str]]]:
    """Per counted attempt and article: the trainee's reliability and credibility grades and reason."""
    current = current_scores(scope)
    given: dict[int, dict[str, tuple[str, str, str]]] = defaultdict(dict)
    query = select(
        SourceRating.attempt_id,
        SourceRating.article_ref,
        SourceRating.reliability,
        SourceRating.credibility,
        SourceRating.reason,
    ).join(current, current.c.attempt_id == SourceRating.attempt_id)
    for attempt_id, article, reliability, credibility, reason in db.execute(query):
        given[attempt_id][article] = (reliability, credibility, reason)
    return given


def _rating_comments_by_attempt(db: Session, scope: Scope) -> dict[int, dict[str, list[str]]]:
    """Per counted attempt and article: the instructors' comments on the rating's reason, oldest first."""
    current = current_scores(scope)
    comments: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    query = (
        select(FeedbackComment.attempt_id, FeedbackComment.article_ref, FeedbackComment.body)
        .join(current, current.c.attempt_id == FeedbackComment.attempt_id)
        .where(FeedbackComment.target == FeedbackTarget.RATING)
        .order_by(FeedbackComment.id)
    )
    for attempt_id, article, body in db.execute(query):
        if article is not None:  # a rating comment always names its article; the column allows none
            comments[attempt_id][article].append(body)
    return comments


def _correct_by_attempt(db: Session, scope: Scope, real: Sequence[KeyItem]) -> dict[int, dict[str, int]]:
    """Per counted attempt and category: key items matched by a flag of the item's own category."""
    found: dict[int, dict[str, int]] = defaultdict(dict)
    if not real:
        return found
    current = current_scores(scope)
    key_category = case({item.id: item.category for item in real}, value=ScoreItem.item_id)
    query = (
        select(current.c.attempt_id, ScoreItem.chosen_category, func.count())
        .join(current, current.c.score_id == ScoreItem.score_id)
        .where(ScoreItem.item_id.in_([item.id for item in real]), ScoreItem.chosen_category == key_category)
        .group_by(current.c.attempt_id, ScoreItem.chosen_category)
    )
    for attempt_id, category, count in db.execute(query):
        found[attempt_id][category] = count
    return found


def _flagged_by_attempt(db: Session, scope: Scope) -> dict[int, dict[str, int]]:
    """Per counted attempt and category: how many flags."""
    current = current_scores(scope)
    flagged: dict[int, dict[str, int]] = defaultdict(dict)
    query = (
        select(Flag.attempt_id, Flag.category, func.count())
        .join(current, current.c.attempt_id == Flag.attempt_id)
        .group_by(Flag.attempt_id, Flag.category)
    )
    for attempt_id, category, count in db.execute(query):
        flagged[attempt_id][category] = count
    return flagged


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else "yes" if value else "no"


def _rounded(value: float | None, digits: int) -> float | int | None:
    if value is None:
        return None
    return round(float(value)) if digits == 0 else round(float(value), digits)


def _iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC; SQLite hands timestamps back without their zone, which is UTC."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def flag_records(db: Session, scope: Scope) -> Iterator[dict[str, Any]]:
    """Every flag of every submitted attempt of the cohort's trainees at the exercise, by attempt."""
    last_id = 0
    while True:
        batch = db.execute(
            select(Flag, User.username, User.display_name, Attempt.number, Attempt.submitted_at, Attempt.late)
            .join(Attempt, Attempt.id == Flag.attempt_id)
            .join(User, User.id == Attempt.user_id)
            .join(cohort_trainees, cohort_trainees.c.user_id == Attempt.user_id)
            .where(
                cohort_trainees.c.cohort_id == scope.cohort.id,
                Attempt.cohort_id == scope.cohort.id,
                Attempt.exercise_id == scope.exercise.id,
                Attempt.submitted_at.is_not(None),
                Flag.id > last_id,
            )
            .order_by(Flag.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        links = _links_of(db, [flag.id for flag, *_ in batch])
        attempt_ids = {flag.attempt_id for flag, *_ in batch}
        judged = _judgements(db, attempt_ids)
        d_primes = {
            attempt_id: _rounded(measured.d_prime, 4)
            for attempt_id, measured in judgement.discernment_of_attempts(db, attempt_ids).items()
        }
        instructor_points, comments = _feedback_of(db, [flag.id for flag, *_ in batch])
        for flag, username, name, number, submitted_at, late in batch:
            outcome, item_quote, points = judged.get((flag.attempt_id, flag.client_id), (None, None, None))
            yield {
                "username": username,
                "display_name": name,
                "exercise": scope.exercise.slug,
                "attempt": number,
                "submitted_at": _iso(submitted_at),
                "late": late,
                "flag_id": flag.client_id,
                "article": flag.article_ref,
                "start": flag.start,
                "end": flag.end,
                "category": flag.category,
                "quote": flag.quote,
                "note": flag.note,
                "links": links.get(flag.id, []),
                "outcome": outcome,
                "matched_item": item_quote,
                "points": points,
                "d_prime": d_primes.get(flag.attempt_id),
                "confidence": flag.confidence,
                "instructor_points": instructor_points.get(flag.id),
                "instructor_comments": comments.get(flag.id, []),
            }
        last_id = batch[-1][0].id
        db.expunge_all()


def flag_outcome(flag: dict[str, Any], item_status: str | None) -> str:
    """A flag's outcome in words: found, partial, wrong category, lone figure (a matched flag, by
    what became of its item), false positive, decoy or near miss."""
    outcome: str = flag["outcome"]
    if outcome == "matched":
        return ITEM_STATUS_OUTCOME.get(item_status or "", "partial")
    return FLAG_OUTCOME_WORDS.get(outcome, outcome)


def _judgements(db: Session, attempt_ids: Iterable[int]) -> dict[tuple[int, str], tuple[str, str | None, float]]:
    """Per (attempt, flag client id): outcome, the quote of its item and its points, from the
    attempt's current score (the key version that score used names the items)."""
    judged: dict[tuple[int, str], tuple[str, str | None, float]] = {}
    quotes: dict[int, dict[str, str]] = {}
    query = select(Score.attempt_id, Score.key_version_id, Score.report["flags"], Score.report["items"]).where(
        Score.attempt_id.in_(list(attempt_ids)), Score.is_current.is_(True)
    )
    for attempt_id, version_id, flags, items in db.execute(query):
        if version_id not in quotes:
            version = db.get(KeyVersion, version_id)
            quotes[version_id] = {item.id: item.quote for item in (version.items if version else ())}
        status = {item["id"]: item["status"] for item in items or ()}
        for flag in flags or ():
            item_id = flag.get("item_id")
            judged[(attempt_id, flag["id"])] = (
                flag_outcome(flag, status.get(item_id)),
                quotes[version_id].get(item_id) if item_id else None,
                round(float(flag["credit"]) - float(flag["penalty"]), 2),
            )
    return judged


def _links_of(db: Session, flag_ids: Sequence[int]) -> dict[int, list[str]]:
    """The client ids each of ``flag_ids`` links to."""
    target = aliased(Flag)
    links: dict[int, list[str]] = defaultdict(list)
    query = (
        select(flag_links.c.flag_id, target.client_id)
        .join(target, target.id == flag_links.c.target_id)
        .where(flag_links.c.flag_id.in_(flag_ids))
        .order_by(flag_links.c.flag_id, target.client_id)
    )
    for flag_id, client_id in db.execute(query):
        links[flag_id].append(client_id)
    return links


def _feedback_of(
    db: Session, flag_ids: Sequence[int]
) -> tuple[dict[int, float], dict[int | None, list[dict[str, Any]]]]:
    """The instructor's points on each of ``flag_ids`` and the comments on each flag and its note, oldest first."""
    points = dict(
        db.execute(
            select(FeedbackPoints.flag_id, FeedbackPoints.points).where(
                FeedbackPoints.flag_id.in_(flag_ids), FeedbackPoints.points != 0
            )
        ).all()
    )
    comments: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    query = (
        select(
            FeedbackComment.flag_id,
            FeedbackComment.target,
            User.username,
            FeedbackComment.body,
            FeedbackComment.updated_at,
        )
        .outerjoin(User, User.id == FeedbackComment.author_id)
        .where(FeedbackComment.flag_id.in_(flag_ids))
        .order_by(FeedbackComment.id)
    )
    for flag_id, target, author, body, updated_at in db.execute(query):
        comments[flag_id].append({"on": target, "author": author, "body": body, "at": _iso(updated_at)})
    return points, comments


def _comment_lines(comments: Sequence[dict[str, Any]]) -> str:
    return "\n".join(("on the note: " if comment["on"] == "note" else "") + comment["body"] for comment in comments)


def flag_rows(records: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    """The flag records as CSV rows, the header first; links joined by spaces, comments one per line."""
    yield list(FLAG_COLUMNS)
    for record in records:
        yield [
            " ".join(record[name])
            if name == "links"
            else _comment_lines(record[name])
            if name == "instructor_comments"
            else record[name]
            for name in FLAG_COLUMNS
        ]


def json_array(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The records as one JSON array, written element by element."""
    yield "["
    for number, record in enumerate(records):
        yield ("," if number else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]\n"
