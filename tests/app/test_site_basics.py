"""Things every page relies on: the favicon, and what `crosscheck upgrade-db` says it did."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from app.cli import cli
from tests.conftest import Factory, login


def test_favicon_ico_leads_to_the_static_icon_without_logging_in(client: FlaskClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.headers["Location"] == "/static/favicon.svg"
    with client.get("/static/favicon.svg") as icon:
        assert icon.status_code == 200
        assert icon.mimetype == "image/svg+xml"
        assert b"<svg" in icon.data


def test_every_page_links_the_icon(app: Flask, client: FlaskClient, factory: Factory) -> None:
    factory.user("ivy", cohort=factory.cohort())
    login(client, "ivy")
    text = client.get("/exercises").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in text


@pytest.mark.parametrize("runs", [1, 2])
def test_upgrade_db_says_created_on_a_fresh_database_and_up_to_date_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runs: int
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    monkeypatch.setenv("SECRET_KEY", "x")
    first = CliRunner().invoke(cli, ["upgrade-db"])
    assert first.exit_code == 0, first.output
    assert "Database schema created." in first.output
    assert "up to date" not in first.output
    for _ in range(runs - 1):
        again = CliRunner().invoke(cli, ["upgrade-db"])
        assert again.exit_code == 0, again.output
        assert "Database schema is up to date." in again.output
        assert "created" not in again.output
