"""Configuration: defaults, then the environment, then a test override."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from app.models import utcnow

ENVIRONMENT_SETTINGS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_KEY_PREFIX",
    "SESSION_COOKIE_SECURE",
    "TRUSTED_PROXIES",
    "MAX_CONTENT_LENGTH",
    "LOGIN_RATE_PER_ACCOUNT",
    "LOGIN_RATE_PER_ADDRESS",
    "LOG_LEVEL",
)
BOOLEAN_SETTINGS = {"SESSION_COOKIE_SECURE"}
INTEGER_SETTINGS = {"TRUSTED_PROXIES", "MAX_CONTENT_LENGTH"}


def configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, the environment and ``test_config``, in that order."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{Path(app.instance_path) / 'crosscheck.sqlite3'}",
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_KEY_PREFIX="crosscheck",
        LOGIN_RATE_PER_ACCOUNT="5 per minute",
        LOGIN_RATE_PER_ADDRESS="30 per minute",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        TRUSTED_PROXIES=0,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        # What deadlines are checked against; tests put a frozen clock here.
        CLOCK=utcnow,
        # The level of the app's loggers (app.*): INFO logs one line per audited event.
        LOG_LEVEL="INFO",
    )
    for name in ENVIRONMENT_SETTINGS:
        if name in os.environ:
            app.config[name] = _parse(name, os.environ[name])
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    # Flask gives its logger (named after the package, "app") a stderr handler unless one is set up.
    app.logger.setLevel(app.config["LOG_LEVEL"])


def _parse(name: str, raw: str) -> Any:
    if name in BOOLEAN_SETTINGS:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if name in INTEGER_SETTINGS:
        return int(raw)
    return raw


def _instance_secret_key(instance_path: Path) -> str:
    """Read the instance's secret key, generating it on first use so restarts keep sessions."""
    key_file = instance_path / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_hex(32)
        # O_EXCL: when two workers start at once, only one key is written and both read it.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return key_file.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key
