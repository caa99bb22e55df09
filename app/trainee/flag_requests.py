"""Checking a flag request against its exercise: the API models validate each field, then the span
and links are checked together and the span re-anchored on the article's stored text.

Messages name the field and what is wrong with it; every problem is reported at once where the
fields allow it, and nothing is changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from app.exercise_cache import ExerciseText
from app.models import Exercise, Flag
from app.trainee import api_models
from scoring.anchoring import reanchor


class InvalidFlag(ValueError):
    """A flag the trainee sent does not fit: nothing was changed."""

    def __init__(
        self, fields: dict[str, list[str]], message: str = "The flag was not saved: check the fields."
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


def grouped_categories(exercise: Exercise | ExerciseText) -> set[str]:
    """Categories whose flags may link to others (conflicting figures)."""
    return {category.id for category in exercise.categories if category.grouped}


@dataclass(frozen=True)
class CheckedFlag:
    """A new flag, checked against its exercise, with its span anchored in the article."""

    client_id: str
    article: str
    start: int
    end: int
    quote: str
    """The span's text as the article has it."""
    category: str
    note: str
    links: list[str]
    confidence: str | None = None


@dataclass(frozen=True)
class CheckedChange:
    """The fields an update sets, checked and anchored; None leaves a field as it is."""

    span: tuple[int, int] | None = None
    category: str | None = None
    note: str | None = None
    links: list[str] | None = None
    sets_confidence: bool = False
    """Whether ``confidence`` is to be set (None clears it)."""
    confidence: str | None = None


Body = TypeVar("Body", bound=BaseModel)

SPAN_FIELDS = ("start", "end", "quote", "prefix", "suffix")
CREATE_FIELDS = frozenset(api_models.NewFlag.model_fields)
UPDATE_FIELDS = frozenset(api_models.FlagChange.model_fields)


class _Errors:
    """Collects per-field messages; raises them together."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        messages = self.fields.setdefault(name, [])
        if message not in messages:
            messages.append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            raise InvalidFlag(self.fields)


def _message(model: type[BaseModel], error: ErrorDetails) -> tuple[str, str] | None:
    """The field a pydantic error is about and what to tell the trainee; None for an error that
    only says null is not the value (the null branch of a field that may be left out)."""
    name = str(error["loc"][0])
    kind = error["type"]
    if kind == "none_required":
        return None
    if name == "client_id":
        return name, "client_id must be 1-64 letters, digits, dashes or underscores."
    in_an_item = any(isinstance(part, int) for part in error["loc"][1:])
    if name == "links" and (in_an_item or kind == "list_type"):
        return name, "links must be a list of flag client ids."
    field = model.model_fields.get(name)
    if kind == "missing" or (error["input"] is None and field is not None and field.is_required()):
        return name, f"{name} is required."
    context = error.get("ctx", {})
    messages = {
        "extra_forbidden": "Unknown field.",
        "int_type": f"{name} must be a whole number (a code-point offset).",
        "greater_than_equal": f"{name} must not be negative.",
        "string_type": f"{name} must be text.",
        "string_unicode": f"{name} must not contain a null character or a lone surrogate.",
        "string_too_short": f"{name} must not be empty.",
        "string_too_long": f"{name} is too long: at most {context.get('max_length')} characters.",
        "too_long": f"A flag can link to at most {context.get('max_length')} others.",
    }
    if kind in messages:
        return name, messages[kind]
    if kind.startswith("unknown_"):
        return name, error["msg"]
    # The checks of our own in api_models say what is wrong after the field's name.
    return name, f"{name} {error['msg']}."


def _json_object(payload: object) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise InvalidFlag({}, "The body must be a JSON object.")
    return payload


def _validated(
    model: type[Body], sent: dict[str, Any], exercise: Exercise | ExerciseText, errors: _Errors
) -> Body | None:
    """The body as ``model`` reads it, or None with a message per bad field added to ``errors``."""
    context = {
        api_models.ARTICLES: [article.ref for article in exercise.articles],
        api_models.CATEGORIES: [category.id for category in exercise.categories],
    }
    try:
        return model.model_validate(sent, context=context)
    except ValidationError as error:
        for detail in error.errors():
            message = _message(model, detail)
            if message is not None:
                errors.add(*message)
        return None


def _check_offsets(errors: _Errors, sent: dict[str, Any], text: str | None) -> None:
    if {"start", "end"} & set(errors.fields) or not {"start", "end"} <= set(sent):
        return
    start, end = sent["start"], sent["end"]
    if start >= end:
        errors.add("end", "end must be greater than start.")
    elif text is not None and end > len(text):
        errors.add("end", f"end is past the end of the article ({len(text)} characters).")


def _check_links(errors: _Errors, exercise: Exercise | ExerciseText, category: str | None, links: list[str]) -> None:
    grouped = grouped_categories(exercise)
    if category is not None and links and category not in grouped:
        names = " or ".join(category.name for category in exercise.categories if category.id in grouped)
        errors.add("links", f"Only a {names or 'no category'} flag can be linked to others.")


def _anchor(errors: _Errors, text: str, body: api_models.NewFlag | api_models.FlagChange) -> tuple[int, int] | None:
    """The one step that turns what the browser sent into stored offsets."""
    assert body.start is not None and body.end is not None and body.quote is not None
    anchored = reanchor(text, body.start, body.end, body.quote, body.prefix or "", body.suffix or "")
    if anchored is None:
        errors.add("quote", "The quote was not found in the article; select the text again.")
        return None
    return anchored.start, anchored.end


def _article_text(exercise: Exercise | ExerciseText, ref: object) -> str | None:
    return next((article.text for article in exercise.articles if article.ref == ref), None)


def _check_confidence(errors: _Errors, exercise: Exercise | ExerciseText, sent: dict[str, Any]) -> None:
    if sent.get("confidence") is not None and "confidence" not in errors.fields and not exercise.asks_confidence:
        errors.add("confidence", "This exercise does not ask for a confidence.")


def parse_new_flag(payload: object, exercise: Exercise | ExerciseText) -> CheckedFlag:
    """Validate a create request; raise InvalidFlag with a message per bad field."""
    sent = _json_object(payload)
    errors = _Errors()
    body = _validated(api_models.NewFlag, sent, exercise, errors)
    _check_confidence(errors, exercise, sent)
    # The checks across fields read the fields that passed as sent (strict validation converts
    # nothing), so a body with several problems hears of all of them at once.
    text = _article_text(exercise, sent.get("article"))
    _check_offsets(errors, sent, text)
    if "category" not in errors.fields and "links" not in errors.fields:
        _check_links(errors, exercise, sent.get("category"), sent.get("links", []))
    errors.raise_if_any()
    assert body is not None and text is not None
    anchored = _anchor(errors, text, body)
    errors.raise_if_any()
    assert anchored is not None
    start, end = anchored
    return CheckedFlag(
        body.client_id, body.article, start, end, text[start:end], body.category, body.note, body.links, body.confidence
    )


def parse_flag_change(payload: object, exercise: Exercise | ExerciseText, flag: Flag) -> CheckedChange:
    """Validate an update request against ``flag``; raise InvalidFlag with a message per bad field."""
    sent = _json_object(payload)
    if not sent:
        raise InvalidFlag({}, f"Nothing to change: send one or more of {', '.join(sorted(UPDATE_FIELDS))}.")
    errors = _Errors()
    body = _validated(api_models.FlagChange, sent, exercise, errors)
    _check_confidence(errors, exercise, sent)
    text = _article_text(exercise, flag.article_ref)
    assert text is not None
    new_span = bool(set(sent) & set(SPAN_FIELDS))
    if new_span:
        # A new span comes whole: start, end and quote together.
        for name in ("start", "end", "quote"):
            if name not in sent:
                errors.add(name, f"{name} is required.")
        _check_offsets(errors, sent, text)
    if "links" not in errors.fields:
        category = flag.category if "category" in errors.fields else sent.get("category", flag.category)
        _check_links(errors, exercise, category, sent.get("links", []))
    errors.raise_if_any()
    assert body is not None
    anchored = _anchor(errors, text, body) if new_span else None
    errors.raise_if_any()
    return CheckedChange(anchored, body.category, body.note, body.links, "confidence" in sent, body.confidence)
