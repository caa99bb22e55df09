"""`crosscheck serve` (what `make run` ends with) really serves, and says what to do first."""

from __future__ import annotations

import os
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
                response = requests.get(f"http://127.0.0.1:{port}/", timeout=2)
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
