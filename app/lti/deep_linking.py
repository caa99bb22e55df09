"""Deep Linking 2.0: the activity an instructor picked, returned to the LMS as a signed resource link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem
from sqlalchemy.orm import Session

from app.deadlines import as_utc
from app.lti.adapter import ToolLaunch
from app.lti.passback import SCORE_MAXIMUM
from app.lti.provisioning import CUSTOM_ATTEMPTS, CUSTOM_DEADLINE, CUSTOM_EXERCISE, assign
from app.models import Exercise, LtiContext


@dataclass(frozen=True)
class DeepLinkReturn:
    """Where the browser posts the signed response, and the response (a JWT)."""

    url: str
    jwt: str


def link_exercise(
    db: Session,
    launch: ToolLaunch,
    context: LtiContext,
    exercise: Exercise,
    *,
    launch_url: str,
    deadline: datetime | None,
    attempts: int | None,
) -> DeepLinkReturn:
    """Set the exercise for the course's cohort and sign an LtiResourceLinkItem with a line item."""
    assign(db, context.cohort, exercise, as_utc(deadline) if deadline else None)
    custom = {CUSTOM_EXERCISE: str(exercise.id)}
    if deadline is not None:
        custom[CUSTOM_DEADLINE] = as_utc(deadline).isoformat()
    if attempts is not None:
        custom[CUSTOM_ATTEMPTS] = str(attempts)
    resource = (
        DeepLinkResource()
        .set_url(launch_url)
        .set_title(exercise.title)
        .set_custom_params(custom)
        .set_lineitem(
            LineItem()
            .set_score_maximum(SCORE_MAXIMUM)
            .set_label(exercise.title)
            .set_resource_id(f"crosscheck-exercise-{exercise.id}")
        )
    )
    deep_link = launch.get_deep_link()
    settings = launch.body["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"]
    return DeepLinkReturn(settings["deep_link_return_url"], deep_link.get_response_jwt([resource]))
