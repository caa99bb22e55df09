"""A trainee logged in with an attempt at the mini exercise: what the trainee and API tests share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from app import db
from app.models import Attempt, Cohort, Exercise, Flag
from tests.conftest import Factory, csrf_token, login

NBSP_TEXT = "about\u00a0500 fighters"
"""In mini-a after 'Officials said ' (code points 15-33); the text has a no-break space."""


@dataclass
class Desk:
    app: Flask
    client: FlaskClient
    token: str
    exercise_id: int
    attempt_id: int
    cohort: Cohort

    @property
    def flags_url(self) -> str:
        return f"/api/attempts/{self.attempt_id}/flags"

    def api(self, method: str, url: str, body: Any = None, **kwargs: Any) -> TestResponse:
        headers = {"X-CSRFToken": self.token, **kwargs.pop("headers", {})}
        if body is None:
            return self.client.open(url, method=method, headers=headers, **kwargs)
        return self.client.open(url, method=method, json=body, headers=headers, **kwargs)

    def create(self, **fields: Any) -> TestResponse:
        return self.api("POST", self.flags_url, flag_body(self.app, **fields))

    def flags(self) -> list[Flag]:
        with self.app.app_context():
            return list(db.session().scalars(select(Flag).where(Flag.attempt_id == self.attempt_id).order_by(Flag.id)))

    def attempt(self) -> Attempt:
        with self.app.app_context():
            attempt = db.session().get(Attempt, self.attempt_id)
            assert attempt is not None
            return attempt


def article_text(app: Flask, ref: str) -> str:
    with app.app_context():
        exercise = db.session().scalar(select(Exercise).where(Exercise.slug == "mini-exercise"))
        return next(article.text for article in exercise.articles if article.ref == ref)


def flag_body(
    app: Flask,
    *,
    client_id: str = "c1",
    article: str = "mini-a",
    quote: str = "reportedly",
    category: str = "unverified",
    **extra: Any,
) -> dict[str, Any]:
    """A valid create body for ``quote`` in ``article`` with code-point offsets."""
    text = article_text(app, article)
    start = text.index(quote)
    body = {
        "client_id": client_id,
        "article": article,
        "start": start,
        "end": start + len(quote),
        "quote": quote,
        "prefix": text[max(0, start - 10) : start],
        "suffix": text[start + len(quote) : start + len(quote) + 10],
        "category": category,
        "note": "",
        "links": [],
    }
    body.update(extra)
    return body


def open_desk(app: Flask, factory: Factory, username: str = "tina", *, cohort: Cohort | None = None) -> Desk:
    """Register ``username`` in a cohort set the mini exercise, log in and start an attempt."""
    if cohort is None:
        cohort = factory.cohort(f"Cohort of {username}")
        exercise = factory.exercise(assign_to=cohort)
    else:
        exercise = factory.exercise()
    factory.user(username, cohort=cohort)
    client = app.test_client()
    login(client, username)
    token = csrf_token(client, "/exercises")
    response = client.post(f"/exercises/{exercise.id}/attempts", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return Desk(app, client, token, exercise.id, attempt_id, cohort)
