"""The LMS round trip and the grade queue on PostgreSQL (the queue's upsert is written per dialect)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app import db, migrate
from tests.lti.test_flow import test_deep_link_launch_submit_and_grade_back  # noqa: F401  (run again here)
from tests.lti.test_passback import (  # noqa: F401  (run again here)
    test_a_grade_waits_while_the_lms_is_down_and_arrives_when_it_is_back,
    test_a_rescore_sends_the_new_score_and_never_an_old_one_over_it,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def app_config(app_config: dict[str, Any], pg_url: str, tmp_path: Path) -> dict[str, Any]:
    """The usual test app, on a fresh migrated PostgreSQL database."""
    engine = db.make_engine(pg_url)
    migrate.upgrade(engine)
    engine.dispose()
    return {**app_config, "DATABASE_URL": pg_url}
