"""The preview server, for real: a subprocess on a free port, fetched over HTTP."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MAY, ROOT, Project, article


class Server:
    def __init__(self, project: Project, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--port", "0", *args],
            cwd=project.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        line = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            match = re.search(r"http://[^ /]+:(\d+)/", line)
            if match:
                self.port = int(match.group(1))
                return
            if not line and self.proc.poll() is not None:
                break
        raise AssertionError(
            f"server did not start: {line!r} {self.proc.stderr.read() if self.proc.stderr else ''}"
        )

    def request(self, path: str, method: str = "GET") -> tuple[int, str]:
        status, body = self.request_bytes(path, method)
        return status, body.decode("utf-8", "replace")

    def request_bytes(self, path: str, method: str = "GET") -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request(method, path)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, body

    def next_status(self, after: int, timeout: float = 10) -> dict[str, object]:
        """Read the event stream until a status newer than `after` arrives."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        sock.sendall(b"GET /__explainer/events HTTP/1.1\r\nHost: x\r\n\r\n")
        buffer = b""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                buffer += chunk
                for data in re.findall(rb"data: (\{.*?\})\n\n", buffer):
                    status = json.loads(data)
                    if status["version"] > after:
                        return status
        finally:
            sock.close()
        raise AssertionError(f"no new status after version {after}: {buffer[-500:]!r}")

    def events(self) -> Events:
        """Open a live-reload stream, as an open page does."""
        return Events(self.port)

    def stop(self) -> subprocess.CompletedProcess[str]:
        self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=20)
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, out, err)


class Events:
    """One open live-reload stream, read as statuses are needed."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(b"GET /__explainer/events HTTP/1.1\r\nHost: x\r\n\r\n")
        self.buffer = b""

    def newer(self, after: int, timeout: float = 30) -> dict[str, object]:
        """Return the first status with a version above `after`, waiting for it."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\n\n" in self.buffer:
                block, self.buffer = self.buffer.split(b"\n\n", 1)
                match = re.search(rb"^data: (\{.*\})$", block, re.MULTILINE)
                if match:
                    status: dict[str, object] = json.loads(match.group(1))
                    if int(str(status["version"])) > after:
                        return status
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no status after version {after} within {timeout} s")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError("the event stream closed")
            self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def served(make_project) -> Iterator[tuple[Project, Server]]:
    project = make_project(
        {
            "content/people/theresa-may.md": MAY,
            "content/articles/story.md": article(
                "Theresa May spoke on Tuesday.", people=["theresa-may"]
            ),
            "content/articles/later.md": article("A draft.", title="Later", draft="true"),
        }
    )
    server = Server(project)
    yield project, server
    if server.proc.poll() is None:
        server.proc.kill()
    server.proc.communicate(timeout=20)  # also closes the pipes


def wait_for(check, timeout: float = 2.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not seen within {timeout} s")


def test_serves_pages_with_the_reload_script_only_in_preview(served):
    project, server = served
    status, body = server.request("/articles/story/")
    assert status == 200 and "spoke on Tuesday" in body
    assert "/__explainer/reload.js" in body
    assert (
        "/__explainer/reload.js"
        not in (project.root / ".cache/preview/articles/story/index.html").read_text()
    )
    assert server.request("/__explainer/reload.js")[0] == 200
    # drafts are served by default, and marked
    status, body = server.request("/articles/later/")
    assert status == 200 and "draft-banner" in body


def test_an_edit_shows_up_within_two_seconds(served):
    project, server = served
    before = server.next_status(-1)["version"]
    path = project.root / "content/articles/story.md"
    path.write_text(
        article("Theresa May spoke on Wednesday.", people=["theresa-may"]), encoding="utf-8"
    )
    wait_for(lambda: "spoke on Wednesday" in server.request("/articles/story/")[1], timeout=2.0)
    assert server.next_status(before)["ok"] is True


def test_a_broken_file_shows_errors_and_keeps_the_old_page(served):
    project, server = served
    version = server.next_status(-1)["version"]
    path = project.root / "content/articles/story.md"
    path.write_text(article("Theresa May spoke.", people=["theresa-mey"]), encoding="utf-8")
    status = server.next_status(version)
    assert status["ok"] is False
    assert any(
        "content/articles/story.md:" in e and "unknown person 'theresa-mey'" in e
        for e in status["errors"]
    ), status
    assert "spoke on Tuesday" in server.request("/articles/story/")[1]
    path.write_text(article("Theresa May spoke again.", people=["theresa-may"]), encoding="utf-8")
    fixed = server.next_status(status["version"])
    assert fixed["ok"] is True and fixed["errors"] == []


@pytest.mark.parametrize(
    "path",
    [
        "/../site.yaml",
        "/%2e%2e/site.yaml",
        "/..%2fsite.yaml",
        "/%2e%2e%2f%2e%2e%2fetc/passwd",
        "//etc/passwd",
        "/static/../../site.yaml",
    ],
)
def test_paths_outside_the_site_are_not_found(served, path):
    _, server = served
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.putrequest("GET", path, skip_host=False)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    assert response.status in (400, 404)
    assert b"base_url" not in body and b"root:" not in body


def test_symlink_out_of_the_site_is_not_followed(served, tmp_path):
    project, server = served
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret", encoding="utf-8")
    link = project.root / ".cache/preview/leak.txt"
    link.symlink_to(secret)
    status, body = server.request("/leak.txt")
    assert status == 404 and "top secret" not in body


def test_only_get_and_head(served):
    _, server = served
    assert server.request("/", "HEAD")[0] == 200
    for method in ("POST", "PUT", "DELETE"):
        assert server.request("/", method)[0] == 405


def test_ctrl_c_stops_cleanly_and_frees_the_port(served):
    _, server = served
    port = server.port
    done = server.stop()
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Stopped." in done.stdout, (done.stdout, done.stderr)
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))


def test_a_taken_port_is_explained(make_project):
    project = make_project({"content/people/theresa-may.md": MAY})
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port)],
            cwd=project.root,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"error: port {port} on 127.0.0.1 is already in use; try --port " in done.stderr
    assert "--port 0 for any free port" in done.stderr
    assert "Traceback" not in done.stderr


def test_listening_beyond_loopback_warns(make_project):
    project = make_project({"content/people/theresa-may.md": MAY})
    server = Server(project, "--host", "0.0.0.0")
    try:
        pass
    finally:
        done = server.stop()
    assert "warning: serving on 0.0.0.0 makes the preview" in done.stderr


def test_preview_output_is_not_the_published_site(served):
    project, _ = served
    assert not (project.root / "_site").exists()
    assert Path(project.root / ".cache/preview/index.html").is_file()
