"""Uploaded files pass the same text checks as form fields: NUL and lone surrogates, and damaged
zips, are a 400 that names the row or file, on SQLite and PostgreSQL, and nothing is written."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import create_app, db, migrate
from app.models import Article, Exercise, Role, User
from exercises.loader import load_package
from exercises.package_zip import package_files, write_zip
from tests.conftest import MINI_PACKAGE, Factory, login, post_form

PROBLEM = "contains a null character or a lone surrogate"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def upload_app(request: pytest.FixtureRequest, app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """The app on SQLite, and again on a fresh PostgreSQL database (where NUL used to be a 500)."""
    if request.param == "sqlite":
        yield app
        return
    url = request.getfixturevalue("pg_url")
    application = create_app({"TESTING": True, "SECRET_KEY": "uploads", "DATABASE_URL": url})
    application.instance_path = str(tmp_path)
    migrate.upgrade(db.get_engine(application))
    yield application
    db.get_engine(application).dispose()


@pytest.fixture
def instructor(upload_app: Flask) -> tuple[FlaskClient, int]:
    """A logged-in instructor and the id of the cohort they teach."""
    factory = Factory(upload_app)
    cohort = factory.cohort("Uploads")
    factory.user("grace", Role.INSTRUCTOR, teaches=cohort)
    client = upload_app.test_client()
    login(client, "grace")
    return client, cohort.id


def count(app: Flask, model: type, *where: object) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.mark.parametrize(
    ("csv_text", "line"),
    [
        ("alice,Alice\nbob,Bo\x00b\n", 2),
        ("alice,Alice,alice@example.org\nbob,Bob,b\x00b@example.org\n", 2),
        ("a\x00lice,Alice\n", 1),
    ],
    ids=["display name", "email", "username"],
)
def test_null_in_a_trainee_csv_is_a_400_naming_the_line(
    upload_app: Flask, instructor: tuple[FlaskClient, int], csv_text: str, line: int
) -> None:
    client, cohort_id = instructor
    response = post_form(
        client,
        f"/instructor/cohorts/{cohort_id}/trainees/import",
        {"file": (io.BytesIO(csv_text.encode()), "trainees.csv")},
        page=f"/instructor/cohorts/{cohort_id}",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert f"Line {line}: {PROBLEM}." in response.get_data(as_text=True)
    assert count(upload_app, User, User.role == Role.TRAINEE) == 0


def mini_files() -> dict[str, bytes]:
    return package_files(load_package(MINI_PACKAGE))


def with_title(title_toml: str) -> bytes:
    files = mini_files()
    files["exercise.toml"] = files["exercise.toml"].replace(
        b'title = "Mini exercise"', f"title = {title_toml}".encode()
    )
    return write_zip(files)


def with_article_text(text: bytes) -> bytes:
    files = mini_files()
    files["articles/mini-a.txt"] = text + files["articles/mini-a.txt"]
    return write_zip(files)


def forged_size(data: bytes, member: str, size: int) -> bytes:
    """The zip with ``member``'s uncompressed size in the central directory replaced by ``size``."""
    raw = bytearray(data)
    at = 0
    while (at := raw.index(b"PK\x01\x02", at)) >= 0:
        name_length = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46 : at + 46 + name_length].decode() == member:
            struct.pack_into("<I", raw, at + 24, size)
            return bytes(raw)
        at += 4
    raise AssertionError(member)


def flipped(data: bytes, member: str, offset: int) -> bytes:
    """The zip with one byte of ``member``'s compressed data inverted."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    raw = bytearray(data)
    raw[info.header_offset + 30 + len(info.filename) + len(info.extra) + offset] ^= 0xFF
    return bytes(raw)


ZIPS = {
    "NUL escaped in exercise.toml": (
        with_title('"Mini\\u0000exercise"'),
        f"exercise.toml: field &#39;title&#39;: {PROBLEM}",
    ),
    "NUL in an article text": (with_article_text(b"\x00"), f"articles/mini-a.txt: field &#39;text&#39;: {PROBLEM}"),
    "a flipped byte (zlib error)": (
        flipped(write_zip(mini_files()), "key.toml", 0),
        "key.toml: damaged or unsupported data, cannot be unpacked",
    ),
    "a flipped byte (bad CRC)": (
        flipped(write_zip(mini_files()), "articles/mini-a.txt", 40),
        "articles/mini-a.txt: damaged or unsupported data",
    ),
    "a forged size header": (
        forged_size(write_zip(mini_files()), "articles/mini-a.txt", 10),
        "articles/mini-a.txt: damaged or unsupported data",
    ),
}


@pytest.mark.parametrize("name", list(ZIPS))
def test_a_bad_exercise_zip_is_a_400_naming_the_file(
    upload_app: Flask, instructor: tuple[FlaskClient, int], name: str
) -> None:
    client, _ = instructor
    data, message = ZIPS[name]
    response = post_form(
        client,
        "/instructor/exercises/import",
        {"file": (io.BytesIO(data), "mini.zip")},
        page="/instructor/exercises/",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(upload_app, Exercise) == 0


def semeval_upload(client: FlaskClient, article: bytes, labels: bytes) -> tuple[int, str]:
    page = "/instructor/exercises/import-semeval"
    response = post_form(
        client,
        page,
        {
            "title": "SemEval sample",
            "event_date": "2019-05-01",
            "language": "en",
            "articles": [(io.BytesIO(article), "article111.txt")],
            "labels": (io.BytesIO(labels), "labels.tsv"),
        },
        page=page,
        content_type="multipart/form-data",
    )
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("article", "labels", "message"),
    [
        (b"They are tr\x00itors.", b"111\tLoaded_Language\t0\t4\n", f"article111.txt: {PROBLEM}"),
        (b"They are traitors.", b"111\tLoaded_Language\t0\t4\n111\tLoaded\x00Language\t9\t17\n", f"line 2: {PROBLEM}"),
    ],
    ids=["article", "labels"],
)
def test_null_in_a_semeval_upload_is_a_400_naming_the_file_or_line(
    upload_app: Flask, instructor: tuple[FlaskClient, int], article: bytes, labels: bytes, message: str
) -> None:
    client, _ = instructor
    status, body = semeval_upload(client, article, labels)
    assert status == 400
    assert message in body
    assert count(upload_app, Exercise) == 0
    assert count(upload_app, Article) == 0
