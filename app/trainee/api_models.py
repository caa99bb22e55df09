"""The bodies of the trainee API, request and response, as pydantic models.

They validate what the workspace sends and generate the OpenAPI document (``openapi.py``), so the
document cannot drift from the code. Offsets are code points into an article's stored text.
Membership checks read the allowed article refs and category ids from the validation context.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from app.models import FeedbackTarget
from exercises.storable import is_storable
from scoring.calibration import CONFIDENCE_LEVELS

MAX_NOTE = 1000
MAX_CONTEXT = 200
MAX_QUOTE = 5000
MAX_LINKS = 50

ARTICLES = "articles"
CATEGORIES = "categories"
"""Keys of the validation context: the exercise's article refs and category ids."""


def _storable(value: str) -> str:
    if not is_storable(value):
        raise PydanticCustomError("unstorable", "must not contain a null character or a lone surrogate")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty")
    return value


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


ClientId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="Chosen by the client (a UUID); makes a retried create idempotent.",
    ),
]
Offset = Annotated[int, Field(ge=0)]
Quote = Annotated[
    str,
    Field(min_length=1, max_length=MAX_QUOTE, description="The selected text; must be found in the article."),
    AfterValidator(_storable),
    AfterValidator(_not_blank),
]
Context = Annotated[str, Field(max_length=MAX_CONTEXT), AfterValidator(_storable)]
Note = Annotated[str, Field(max_length=MAX_NOTE), AfterValidator(_storable)]
Links = Annotated[
    list[str],
    Field(
        max_length=MAX_LINKS,
        description="Client ids of flags in this attempt; only for a grouped (conflicting number) category.",
    ),
    AfterValidator(_distinct),
]
AttemptId = Annotated[int, Field(ge=1, description="The attempt's id (from the workspace URL).")]
FlagClientId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The flag's client id.")]


def _one_of(info: ValidationInfo, key: str, value: object, what: str) -> object:
    """Refuse ``value`` unless the context lists it under ``key`` (no context: any value).

    Runs before the type check, so a number is an unknown category too; null is left to the type
    check, which reports it as missing.
    """
    allowed = (info.context or {}).get(key)
    if value is not None and allowed is not None and value not in allowed:
        raise PydanticCustomError(
            "unknown_" + what,
            "{message}",
            {"message": f"Unknown {what} {value!r}; expected one of: {', '.join(allowed)}."},
        )
    return value


ConfidenceId = Annotated[
    str,
    Field(
        json_schema_extra={"enum": list(CONFIDENCE_LEVELS)},
        description="How sure the trainee is that the flag is a problem, on the estimative scale "
        "(scoring.calibration.CONFIDENCE_SCALE): almost_certain 0.95, likely 0.75, roughly_even 0.5, unlikely 0.25. "
        "Only an exercise that asks for confidence takes one.",
    ),
]


def _on_the_scale(value: object) -> object:
    """Refuse a confidence that is not on the scale (null is left to the field: not stated)."""
    if value is not None and not (isinstance(value, str) and value in CONFIDENCE_LEVELS):
        raise PydanticCustomError(
            "unknown_confidence",
            "{message}",
            {"message": f"Unknown confidence {value!r}; expected one of: {', '.join(CONFIDENCE_LEVELS)}."},
        )
    return value


class _RequestBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class NewFlag(_RequestBody):
    """A flag to add. The server re-anchors the span with the quote, prefix and suffix."""

    client_id: ClientId
    article: str = Field(description="One of the exercise's article refs.")
    start: Offset = Field(description="Code-point offset, inclusive.")
    end: Offset = Field(description="Code-point offset, exclusive; greater than start, at most the text's length.")
    quote: Quote
    prefix: Context = Field("", description="Text just before the quote.")
    suffix: Context = Field("", description="Text just after the quote.")
    category: str = Field(description="One of the exercise's category ids.")
    note: Note = ""
    links: Links = []
    confidence: ConfidenceId | None = Field(None, description="null or left out: not stated.")

    @field_validator("confidence", mode="before")
    @classmethod
    def _known_confidence(cls, value: object) -> object:
        return _on_the_scale(value)

    @field_validator("article", mode="before")
    @classmethod
    def _known_article(cls, value: object, info: ValidationInfo) -> object:
        return _one_of(info, ARTICLES, value, "article")

    @field_validator("category", mode="before")
    @classmethod
    def _known_category(cls, value: object, info: ValidationInfo) -> object:
        return _one_of(info, CATEGORIES, value, "category")


class FlagChange(_RequestBody):
    """Fields to change; a field left out stays as it is. A new span sends start, end and quote
    together (prefix and suffix optional)."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    start: Offset | SkipJsonSchema[None] = None
    end: Offset | SkipJsonSchema[None] = None
    quote: Quote | SkipJsonSchema[None] = None
    prefix: Context | SkipJsonSchema[None] = None
    suffix: Context | SkipJsonSchema[None] = None
    category: str | SkipJsonSchema[None] = None
    note: Note | SkipJsonSchema[None] = None
    links: Links | SkipJsonSchema[None] = None
    confidence: ConfidenceId | None = Field(None, description="null clears it (not stated).")

    @field_validator("*", mode="before")
    @classmethod
    def _left_out_not_null(cls, value: object, info: ValidationInfo) -> object:
        # A confidence can be withdrawn: null is its "not stated".
        if value is None and info.field_name != "confidence":
            raise PydanticCustomError("null", "must not be null; leave it out to keep it as it is")
        return _on_the_scale(value) if info.field_name == "confidence" else value

    @field_validator("category", mode="before")
    @classmethod
    def _known_category(cls, value: object, info: ValidationInfo) -> object:
        return _one_of(info, CATEGORIES, value, "category")


class Flag(BaseModel):
    """A stored flag (offsets in code points)."""

    model_config = ConfigDict(extra="forbid")

    client_id: ClientId
    article: str = Field(description="The article's ref.")
    start: Offset
    end: Annotated[int, Field(ge=1)]
    quote: str = Field(description="text[start:end] as stored.")
    category: str
    note: Annotated[str, Field(max_length=MAX_NOTE)]
    links: list[ClientId] = Field(description="Client ids of the flags this one links to (conflicting figures).")
    confidence: ConfidenceId | SkipJsonSchema[None] = Field(None, description="Absent when not stated.")


class Change(BaseModel):
    """What a create, update or delete did."""

    model_config = ConfigDict(extra="forbid")

    revision: Offset = Field(description="The attempt's revision after the request.")
    changed: bool = Field(description="False for a replayed create: nothing new was stored.")
    flag: Flag | SkipJsonSchema[None] = Field(None, description="The flag as stored; absent after a delete.")


class AttemptFlags(BaseModel):
    """An attempt's flags and revision."""

    model_config = ConfigDict(extra="forbid")

    attempt_id: int
    revision: Offset
    submitted: bool
    flags: list[Flag]


class Submission(BaseModel):
    """A submitted, scored attempt."""

    model_config = ConfigDict(extra="forbid")

    attempt_id: int
    revision: int
    submitted_at: str = Field(json_schema_extra={"format": "date-time"})
    score: Annotated[float, Field(ge=0, le=100)]
    debrief_url: str


Share = Annotated[float, Field(ge=0, le=1)]


class Discernment(BaseModel):
    """How well the submission tells problems (key items) from sound passages (the key's decoys):
    signal-detection d′ with log-linear corrected rates (scoring.discernment)."""

    model_config = ConfigDict(extra="forbid")

    problems: Offset = Field(description="Real key items.")
    hits: Offset = Field(description="Real key items a flag matched.")
    sound_passages: Offset = Field(description="Decoys of the key.")
    false_alarms: Offset = Field(description="Decoys one or more flags hit.")
    hit_rate: Share | SkipJsonSchema[None] = Field(
        None, description="hits / problems, uncorrected; absent without problems."
    )
    false_alarm_rate: Share | SkipJsonSchema[None] = Field(
        None, description="false_alarms / sound_passages, uncorrected; absent without sound passages."
    )
    d_prime: float | SkipJsonSchema[None] = Field(
        None,
        description="z(H) − z(F) with H = (hits + 0.5) / (problems + 1) and F = (false_alarms + 0.5) / "
        "(sound_passages + 1); absent when not measurable.",
    )
    criterion: float | SkipJsonSchema[None] = Field(
        None,
        description="−(z(H) + z(F)) / 2: below 0 flags liberally, above 0 sparingly; absent when not measurable.",
    )
    measurable: bool
    reason: str = Field(description="Why d′ is not measurable; empty when it is.")
    reading: str = Field(description="The plain-language reading the debrief shows.")


class ReliabilityRow(BaseModel):
    """The flags given one confidence and how many of them matched a key item."""

    model_config = ConfigDict(extra="forbid")

    confidence: ConfidenceId
    label: str
    probability: Share
    flags: Offset
    right: Offset
    right_share: Share | SkipJsonSchema[None] = Field(
        None, description="right / flags; absent when no flag was given this confidence."
    )


class Calibration(BaseModel):
    """How the trainee's confidences compare with what their flags turned out to be
    (scoring.calibration). A flag is right when it matched a key item."""

    model_config = ConfigDict(extra="forbid")

    rated: Offset = Field(description="Flags given a confidence.")
    unrated: Offset = Field(description="Flags without one, left out.")
    brier: Share | SkipJsonSchema[None] = Field(
        None, description="Mean of (p − right)² over the rated flags: 0 perfect; absent without rated flags."
    )
    reliability: list[ReliabilityRow] = Field(description="One row per level of the scale, surest first.")


class InstructorComment(BaseModel):
    """An instructor's comment on the trainee's submission."""

    model_config = ConfigDict(extra="forbid")

    on: FeedbackTarget = Field(
        description="What it is about: a flag, the note on a flag, or the reason given for a source rating."
    )
    flag_id: str | SkipJsonSchema[None] = Field(
        None, description="The flag's client id (for a comment on a flag or its note); absent otherwise."
    )
    article: str | SkipJsonSchema[None] = Field(
        None, description="The rated article's ref (for a comment on a source rating); absent otherwise."
    )
    author: str | SkipJsonSchema[None] = Field(
        None, description="The instructor's display name; absent once their account is gone."
    )
    body: str
    updated_at: str = Field(description="When it was written or last changed (ISO 8601, UTC).")


class CohortSegment(BaseModel):
    """A run of an article's text that the same number of the cohort's submissions flagged."""

    model_config = ConfigDict(extra="forbid")

    start: Offset
    end: Offset = Field(description="Exclusive.")
    submissions: Annotated[int, Field(ge=1, description="How many of the cohort's submissions flagged it.")]


class CohortFlag(BaseModel):
    """One of the trainee's own flags beside the cohort's."""

    model_config = ConfigDict(extra="forbid")

    flag_id: str = Field(description="The flag's client id.")
    submissions: Offset = Field(description="How many of the cohort's submissions flagged words of it.")


class CohortArticle(BaseModel):
    """Where in one article the cohort flagged, and the trainee's own flags there."""

    model_config = ConfigDict(extra="forbid")

    article: str = Field(description="The article's ref.")
    segments: list[CohortSegment] = Field(description="Only what somebody flagged, in text order.")
    own_flags: list[CohortFlag] = Field(description="The trainee's flags in this article, in text order.")


class CohortView(BaseModel):
    """Where the trainee's cohort flagged, counts only and never names (the dashboard's heatmap)."""

    model_config = ConfigDict(extra="forbid")

    submissions: Offset = Field(description="The cohort's submissions counted (the trainee's among them).")
    articles: list[CohortArticle]


class ScoreReport(BaseModel):
    """The current score and scoring report of a submitted attempt."""

    model_config = ConfigDict(extra="forbid")

    attempt_id: int
    key_version: int = Field(description="The key version that scored the attempt.")
    score: Annotated[float, Field(ge=0, le=100, description="The exact score, as the engine computed it.")]
    score_shown: Annotated[
        int,
        Field(
            ge=0,
            le=100,
            description="The score as every page and export shows it: rounded to a whole number, halves up (62.5 is 63).",
        ),
    ]
    report: dict[str, Any] = Field(
        description="The scoring engine's report (scoring.report_to_dict): totals, items with explanations, flags, "
        "links, metrics; a score stored since discernment and calibration exist also keeps them here (as "
        "`discernment` and `calibration` below).",
        json_schema_extra={"required": ["score", "totals", "items", "flags", "links", "format"]},
    )
    discernment: Discernment
    calibration: Calibration | SkipJsonSchema[None] = Field(
        None, description="Absent when the exercise does not ask for confidence and no flag has one."
    )
    instructor_points: float = Field(
        description="Points an instructor added (or, negative, took away) by hand on the flags; not part of `score`."
    )
    final_score: Annotated[
        float, Field(ge=0, le=100, description="`score` plus `instructor_points`, within 0–100: the grade an LMS gets.")
    ]
    instructor_points_on_flags: dict[str, float] = Field(
        description="The instructor's points on each flag that has some, by the flag's client id; they add up to "
        "`instructor_points`."
    )
    instructor_comments: list[InstructorComment] = Field(description="The instructors' comments, oldest first.")
    cohort_view: CohortView | SkipJsonSchema[None] = Field(
        None,
        description="Where the cohort flagged: only when the assignment offers it, after this submission and "
        "after the deadline (or once an instructor released it); absent otherwise.",
    )


class ProgressExercise(BaseModel):
    """The exercise a submission was made for."""

    model_config = ConfigDict(extra="forbid")

    id: int
    slug: str
    title: str


class ProgressCategory(BaseModel):
    """Points earned of the points possible in one category of a submission's key."""

    model_config = ConfigDict(extra="forbid")

    category: str
    name: str
    earned: Annotated[float, Field(ge=0)]
    possible: Annotated[float, Field(ge=0)]
    percent: Annotated[float, Field(ge=0, le=100)] | SkipJsonSchema[None] = Field(
        None, description="earned / possible in percent; absent when the category has no points in this key."
    )


class ProgressSubmission(BaseModel):
    """One submitted attempt, under its current score."""

    model_config = ConfigDict(extra="forbid")

    attempt_id: int
    attempt: Annotated[int, Field(ge=1, description="The attempt's number at its exercise.")]
    exercise: ProgressExercise
    submitted_at: str = Field(json_schema_extra={"format": "date-time"})
    late: bool
    score: Annotated[float, Field(ge=0, le=100, description="The exact current score.")]
    categories: list[ProgressCategory]
    debrief_url: str
    discernment: float | SkipJsonSchema[None] = Field(None, description="d′, when the stored report has it.")
    brier: Annotated[float, Field(ge=0, le=1)] | SkipJsonSchema[None] = Field(
        None, description="Brier score of the flags' confidence, when the stored report has it."
    )


class Progress(BaseModel):
    """The trainee's submitted attempts, oldest first."""

    model_config = ConfigDict(extra="forbid")

    submissions: list[ProgressSubmission]


class OpenApiDocument(BaseModel):
    """An OpenAPI document (this API's own)."""

    model_config = ConfigDict(extra="allow")


class Error(BaseModel):
    """An error as ``app.errors.error_response`` sends it."""

    error: str = Field(description="What went wrong, in words for the trainee.")
    status: int
    fields: dict[str, list[str]] | SkipJsonSchema[None] = Field(None, description="Messages per request field.")
