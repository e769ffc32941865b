"""The Dockerfile's HEALTHCHECK and compose.yaml: the same check, and it reads /healthz."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parent.parent


def dockerfile_healthcheck() -> list[str]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    (line,) = [line for line in text.splitlines() if line.startswith("HEALTHCHECK ")]
    command: list[str] = json.loads(line.partition(" CMD ")[2])
    return command


class Healthz(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()
        self.wfile.write(b"Bot API unreachable for 400 s\n")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def healthz() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Healthz)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        Healthz.status = 200


def test_compose_runs_the_image_with_its_volume_health_check_and_metrics_port() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    bot = compose["services"]["digestbot"]
    assert bot["build"] == "."
    assert bot["restart"] == "unless-stopped"
    assert bot["volumes"] == ["digestbot-data:/data"]
    assert "digestbot-data" in compose["volumes"]
    assert bot["environment"]["DIGESTBOT_METRICS_PORT"] == "9464"
    assert bot["ports"] == ["127.0.0.1:9464:9464"]
    assert ["CMD", *dockerfile_healthcheck()] == bot["healthcheck"]["test"]


@pytest.mark.parametrize(("status", "exit_code"), [(200, 0), (503, 1)])
def test_the_health_check_exits_by_the_healthz_status(
    healthz: ThreadingHTTPServer, status: int, exit_code: int
) -> None:
    Healthz.status = status
    python, *args = dockerfile_healthcheck()
    assert python == "python"
    port = str(healthz.server_address[1])
    done = subprocess.run(
        [sys.executable, *args],
        env={"DIGESTBOT_METRICS_PORT": port},
        capture_output=True,
        timeout=30,
    )
    assert done.returncode == exit_code
