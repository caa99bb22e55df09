"""The database goes away during autosave: the browser's queue delivers once it is back.

The test runs its own PostgreSQL server (initdb in a temporary folder, its own port), never the
machine's shared one, so it can stop and start it at will.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app, db, migrate
from app.models import Flag
from bench.harness import free_port
from tests.browser.steps import NBSP_QUOTE, expect_saved, flag_with_mouse, log_in, start_exercise
from tests.conftest import Factory

pytestmark = pytest.mark.browser


class OwnPostgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1:``port``, run as the ``postgres`` user when root."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="crosscheck-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *arguments: str) -> None:
        command = [str(self.bin_dir / arguments[0]), *arguments[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def create(self) -> None:
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    initdb = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not initdb:
        pytest.skip("needs PostgreSQL's server programs (Debian: apt-get install postgresql)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root needs a postgres account to run the server as")
    server = OwnPostgres(initdb[-1].parent)
    server.create()
    try:
        yield server
    finally:
        server.destroy()


def test_autosave_survives_a_database_restart(page: Page, own_postgres: OwnPostgres, tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "restart", "DATABASE_URL": own_postgres.url})
    app.instance_path = str(tmp_path)
    migrate.upgrade(db.get_engine(app))
    factory = Factory(app)
    cohort = factory.cohort("Restart cohort")
    factory.exercise(assign_to=cohort)
    factory.user("rana", cohort=cohort)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        log_in(page, base, "rana")
        start_exercise(page)
        flag_with_mouse(page, "mini-a", NBSP_QUOTE, "Conflicting number")
        expect_saved(page, 1)

        own_postgres.stop()
        flag_with_mouse(page, "mini-b", "550 men", "Conflicting number", note="while the database was down")
        expect(page.locator("#save-status")).to_have_text("Offline: 1 change waiting")
        own_postgres.start()
        expect(page.locator("#save-status")).to_have_text("Saved", timeout=40_000)

        page.reload()
        expect_saved(page, 2)
        with app.app_context():
            flags = list(db.session().scalars(select(Flag).order_by(Flag.id)))
        assert [(flag.quote, flag.note) for flag in flags] == [
            (NBSP_QUOTE, ""),
            ("550 men", "while the database was down"),
        ]
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        db.get_engine(app).dispose()
