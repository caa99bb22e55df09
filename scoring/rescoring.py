"""Rescoring every stored submission of an exercise, for when its key or policy changes."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import TypeVar

from scoring.engine import PreparedKey
from scoring.report import Report
from scoring.types import Flag, KeyItem, Policy, RatingKey, SourceRating

SubmissionId = TypeVar("SubmissionId", bound=Hashable)


def rescore(
    key: Sequence[KeyItem],
    submissions: Iterable[
        tuple[SubmissionId, Sequence[Flag]] | tuple[SubmissionId, Sequence[Flag], Sequence[SourceRating]]
    ],
    policy: Policy = Policy(),
    *,
    categories: Collection[str] | None = None,
    texts: Mapping[str, str] | None = None,
    rating_key: Sequence[RatingKey] = (),
) -> Iterator[tuple[SubmissionId, Report]]:
    """Score each submission against the key, yielding (submission id, report) as it goes.

    A submission is (id, flags) or (id, flags, source ratings). ``categories``, ``texts`` and
    ``rating_key`` are as for `scoring.PreparedKey`. The key and policy are checked and indexed
    once, before the first submission, so an invalid key raises ValueError at the call; an invalid
    submission raises ValueError naming its id when it is reached. Reports are yielded one at a
    time, so memory does not grow with the number of submissions.
    """
    prepared = PreparedKey(key, policy, categories=categories, texts=texts, rating_key=rating_key)
    return _each(prepared, submissions)


def _each(
    prepared: PreparedKey,
    submissions: Iterable[
        tuple[SubmissionId, Sequence[Flag]] | tuple[SubmissionId, Sequence[Flag], Sequence[SourceRating]]
    ],
) -> Iterator[tuple[SubmissionId, Report]]:
    for submission, flags, *ratings in submissions:
        try:
            report = prepared.score(flags, *ratings)
        except ValueError as error:
            raise ValueError(f"submission {submission!r}: {error}") from error
        yield submission, report
