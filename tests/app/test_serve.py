"""`crosscheck serve` (what `make run` ends with) really serves, and says what to do first."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from bench.harness import free_port

CROSSCHECK = Path(sys.executable).parent / "crosscheck"


def test_serve_answers_and_points_to_setup(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}", "SECRET_KEY": "serve-test"}
    subprocess.run([CROSSCHECK, "upgrade-db"], env=env, check=True, capture_output=True, timeout=60)
    server = subprocess.Popen(
        [CROSSCHECK, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/", timeout=(2, 30))
                break
            except requests.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert response.url.endswith("/setup")
        assert "Create administrator account" in response.text
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert f"Crosscheck is running at http://127.0.0.1:{port}/" in output
    assert f"First run: open http://127.0.0.1:{port}/setup" in output


def test_serve_prod_trusts_no_forwarded_header_unless_told(tmp_path: Path) -> None:
    """gunicorn's default trusts X-Forwarded-Proto from loopback; serve-prod trusts it from nowhere,
    so without TRUSTED_PROXIES a forged header does not make a plain request look like HTTPS."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "SECRET_KEY": "serve-prod-test",
        "RATELIMIT_STORAGE_URI": "memory://",
        "PORT": str(port),
        "WORKERS": "1",
        "THREADS": "1",
    }
    env.pop("TRUSTED_PROXIES", None)
    server = subprocess.Popen(
        ["make", "--no-print-directory", "serve-prod"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = requests.get(
                    f"http://127.0.0.1:{port}/login", headers={"X-Forwarded-Proto": "https"}, timeout=(2, 30)
                )
                break
            except requests.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, "serve-prod did not start"
                time.sleep(0.2)
        assert response.status_code == 200
        assert "Strict-Transport-Security" not in response.headers
        assert "Secure" not in response.headers.get("Set-Cookie", "")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.communicate(timeout=20)
