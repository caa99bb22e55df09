"""A production-style server to measure and to break, and a trainee client to drive it.

Used by ``bench/classroom.py`` (by hand) and by the fault tests (in CI). Loopback only.
"""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
TRAINEE_PASSWORD = "classroom password 1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def fresh_postgres_database(base_url: str, name: str) -> Iterator[str]:
    """A new empty database on ``base_url``'s server, dropped afterwards."""
    url = make_url(base_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class ProdServer:
    """``make serve-prod``: gunicorn with several workers on PostgreSQL, rate limits in Redis."""

    database_url: str
    workers: int = 4
    threads: int = 4
    """Threads per worker; ``make serve-prod``'s default, for the comparison apps as well."""
    redis_url: str = "redis://127.0.0.1:6379/15"
    port: int = field(default_factory=free_port)
    app: str = "app:create_app()"
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, instance: Path) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "RATELIMIT_STORAGE_URI": self.redis_url,
            "SECRET_KEY": "classroom-" + uuid.uuid4().hex,
            "PORT": str(self.port),
            "WORKERS": str(self.workers),
            "THREADS": str(self.threads),
        }
        self.log = instance / "server.log"
        instance.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            if self.app == "app:create_app()":
                command = ["make", "--no-print-directory", "serve-prod", f"VENV={BIN.parent}", "GUNICORN_FLAGS="]
            else:
                command = [
                    str(BIN / "gunicorn"),
                    "--workers",
                    str(self.workers),
                    "--threads",
                    str(self.threads),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--no-control-socket",
                    self.app,
                ]
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                # Any answer will do: the bare comparison app has no login page.
                if (
                    requests.get(self.url + "/login", timeout=2).status_code < 500
                    and len(self.worker_pids()) == self.workers
                ):
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def master_pid(self) -> int:
        """The gunicorn master: the first process in the server's tree that has gunicorn children."""
        assert self.process is not None
        queue = [self.process.pid]
        while queue:
            pid = queue.pop(0)
            children = _children(pid)
            if _is_gunicorn(pid) and children:
                return pid
            queue += children
        raise RuntimeError("no gunicorn master")

    def worker_pids(self) -> list[int]:
        try:
            return _children(self.master_pid())
        except RuntimeError:
            return []

    def worker_cpu_seconds(self) -> float:
        """CPU time (user + system) the workers have used so far, as the OS counts it."""
        return sum(cpu_seconds(pid) for pid in self.worker_pids())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def vacuum_analyze(engine: Engine) -> None:
    """Give a freshly seeded PostgreSQL database the statistics and visibility map a serving one has.

    Bulk-loaded tables have neither until autovacuum gets to them, so the planner guesses and
    index-only scans read the table. Outside a transaction: VACUUM refuses one, and an ANALYZE
    rolled back with its transaction leaves no statistics (a kept 500-trainee cohort then rendered
    its dashboard in 390-626 ms, its key-gap count alone taking 564 ms of server time, not 1).
    """
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name (field 2) may hold spaces; the parent pid is the 2nd field after it.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def _is_gunicorn(pid: int) -> bool:
    """Whether the process runs gunicorn itself (not a shell whose command line mentions it)."""
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return any(argument.endswith(b"gunicorn") for argument in arguments[:2])


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) in seconds; 0 once it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime and stime are fields 14 and 15 of stat, the 12th and 13th after the command name.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def seed_classroom(
    database_url: str, trainees: int, exercise_slug: str = "deir-ez-zor-2018"
) -> tuple[int, dict[str, str]]:
    """A cohort of ``trainees`` accounts set the exercise; returns its id and the article texts."""
    from app import create_app, db
    from app.models import Assignment, Cohort, Exercise, Role, User
    from app.passwords import hash_password

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "seed", "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        session = db.session()
        exercise = session.query(Exercise).filter_by(slug=exercise_slug).one()
        cohort = Cohort(name=f"Classroom of {trainees}", join_code=None)
        password_hash = hash_password(TRAINEE_PASSWORD)
        cohort.trainees = [
            User(
                username=f"trainee{number:04d}",
                display_name=f"Trainee {number}",
                role=Role.TRAINEE,
                password_hash=password_hash,
            )
            for number in range(trainees)
        ]
        cohort.assignments = [Assignment(exercise=exercise)]
        session.add(cohort)
        session.commit()
        texts = {article.ref: article.text for article in exercise.articles}
        exercise_id = exercise.id
    db.get_engine(app).dispose()
    return exercise_id, texts


class Latencies:
    """Response times per endpoint, and errors."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)

    def record(self, name: str, seconds: float, ok: bool) -> None:
        self.samples[name].append(seconds)
        if not ok:
            self.errors[name] += 1

    def merge(self, other: Latencies) -> None:
        for name, values in other.samples.items():
            self.samples[name] += values
        for name, count in other.errors.items():
            self.errors[name] += count

    def table(self) -> str:
        lines = [f"{'endpoint':<16}{'count':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"]
        for name in sorted(self.samples):
            values = sorted(self.samples[name])
            p50, p95, p99 = (values[min(len(values) - 1, int(q * len(values)))] * 1000 for q in (0.5, 0.95, 0.99))
            lines.append(f"{name:<16}{len(values):>8}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}{self.errors[name]:>8}")
        return "\n".join(lines)


class TraineeClient:
    """One trainee in a browser-less session: logs in, opens the workspace, saves flags."""

    def __init__(self, base: str, username: str, texts: dict[str, str], seed: int) -> None:
        self.base = base
        self.username = username
        self.texts = texts
        self.random = random.Random(seed)
        self.http = requests.Session()
        self.latencies = Latencies()
        self.attempt_id = 0
        self.csrf = ""
        self.acknowledged: dict[str, dict[str, str]] = {}
        """client_id → {category, note} of every flag the server confirmed and not deleted since."""

    def _timed(self, name: str, method: str, path: str, retries: int = 0, **kwargs: object) -> requests.Response | None:
        for attempt in range(retries + 1):
            started = time.perf_counter()
            try:
                response = self.http.request(method, self.base + path, timeout=15, **kwargs)  # type: ignore[arg-type]
            except requests.RequestException:
                self.latencies.record(name, time.perf_counter() - started, ok=False)
            else:
                ok = response.status_code < 400
                self.latencies.record(name, time.perf_counter() - started, ok=ok)
                if ok or response.status_code < 500:
                    return response
            time.sleep(0.2 * (attempt + 1))
        return None

    def _csrf_from(self, response: requests.Response) -> None:
        match = CSRF_META.search(response.text)
        if match:
            self.csrf = match.group(1)

    def log_in_and_open(self, exercise_id: int) -> None:
        self.log_in()
        self.open(exercise_id)

    def login_page(self) -> None:
        """Load the login page in a fresh session, for its CSRF token."""
        self.http.cookies.clear()
        page = self._timed("login page", "GET", "/login", retries=3)
        assert page is not None
        self._csrf_from(page)

    def log_in(self) -> None:
        """Load the login page (for its CSRF token) in a fresh session, and log in."""
        self.login_page()
        done = self._timed(
            "login",
            "POST",
            "/login",
            retries=3,
            data={"csrf_token": self.csrf, "username": self.username, "password": TRAINEE_PASSWORD},
        )
        assert done is not None and done.url.endswith("/exercises"), f"{self.username} could not log in"
        self._csrf_from(done)

    def open(self, exercise_id: int) -> None:
        """Start or resume the attempt at the exercise: the workspace page, after the redirect."""
        opened = self._timed(
            "open workspace", "POST", f"/exercises/{exercise_id}/attempts", retries=3, data={"csrf_token": self.csrf}
        )
        assert opened is not None and "/attempts/" in opened.url, f"{self.username} could not open the workspace"
        self.attempt_id = int(opened.url.rstrip("/").rsplit("/", 1)[1])
        self._csrf_from(opened)

    def _headers(self) -> dict[str, str]:
        return {"X-CSRFToken": self.csrf, "Referer": self.base + "/"}

    def random_span(self) -> tuple[str, int, int]:
        article = self.random.choice(sorted(self.texts))
        text_ = self.texts[article]
        starts = [match.start() for match in re.finditer(r"\b\w", text_)]
        start = self.random.choice(starts)
        words = self.random.randint(1, 6)
        end = start
        for match in re.finditer(r"\w+", text_[start:]):
            end = start + match.end()
            words -= 1
            if not words:
                break
        return article, start, max(end, start + 1)

    def create_flag(self) -> None:
        article, start, end = self.random_span()
        client_id = str(uuid.uuid4())
        body = {
            "client_id": client_id,
            "article": article,
            "start": start,
            "end": end,
            "quote": self.texts[article][start:end],
            "category": self.random.choice(["unverified", "conflicting_number", "loaded_framing"]),
            "note": f"note {self.random.randint(0, 9999)}",
            "links": [],
        }
        # The same client_id on a retry, as the browser's queue does: a replay never duplicates.
        response = self._timed(
            "create flag",
            "POST",
            f"/api/attempts/{self.attempt_id}/flags",
            retries=5,
            json=body,
            headers=self._headers(),
        )
        if response is not None and response.status_code in (200, 201):
            self.acknowledged[client_id] = {"category": body["category"], "note": body["note"]}

    def edit_flag(self) -> None:
        if not self.acknowledged:
            return self.create_flag()
        client_id = self.random.choice(sorted(self.acknowledged))
        note = f"edited {self.random.randint(0, 9999)}"
        response = self._timed(
            "edit flag",
            "PATCH",
            f"/api/attempts/{self.attempt_id}/flags/{client_id}",
            retries=5,
            json={"note": note},
            headers=self._headers(),
        )
        if response is not None and response.status_code == 200:
            self.acknowledged[client_id]["note"] = note

    def delete_flag(self) -> None:
        if not self.acknowledged:
            return self.create_flag()
        client_id = self.random.choice(sorted(self.acknowledged))
        response = self._timed(
            "delete flag",
            "DELETE",
            f"/api/attempts/{self.attempt_id}/flags/{client_id}",
            retries=5,
            headers=self._headers(),
        )
        if response is not None and response.status_code in (200, 404):
            del self.acknowledged[client_id]

    def act(self) -> None:
        roll = self.random.random()
        if roll < 0.6 or len(self.acknowledged) < 2:
            self.create_flag()
        elif roll < 0.85:
            self.edit_flag()
        else:
            self.delete_flag()

    def submit(self) -> bool:
        response = self._timed(
            "submit", "POST", f"/api/attempts/{self.attempt_id}/submit", retries=3, json={}, headers=self._headers()
        )
        return response is not None and response.status_code == 200


def reconcile(database_url: str, clients: list[TraineeClient]) -> tuple[int, int, int]:
    """Compare what the server acknowledged with what is stored.

    Returns (acknowledged flags, flags stored exactly once as acknowledged, problems).
    """
    engine = create_engine(database_url)
    problems = matched = total = 0
    with engine.connect() as connection:
        for client in clients:
            rows = connection.execute(
                text("SELECT client_id, category, note FROM flags WHERE attempt_id = :attempt"),
                {"attempt": client.attempt_id},
            ).all()
            stored: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for client_id, category, note in rows:
                stored[client_id].append((category, note))
            total += len(client.acknowledged)
            for client_id, expected in client.acknowledged.items():
                if stored.get(client_id) == [(expected["category"], expected["note"])]:
                    matched += 1
                else:
                    problems += 1
            problems += sum(1 for client_id in stored if client_id not in client.acknowledged)
    engine.dispose()
    return total, matched, problems
