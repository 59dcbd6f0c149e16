"""A preview server run for real, as tests drive it: a subprocess on a free port."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

from conftest import ROOT, Project

# Runs the command line as build.py does, on a system that cannot swap two folders in
# one step (no renameat2 RENAME_EXCHANGE, as on macOS): the old output is renamed away,
# then the new one into place.
WITHOUT_EXCHANGE = (
    "import sys; import explainer.output.write as write; write._exchange = lambda a, b: False; "
    "from explainer.cli import main; sys.exit(main())"
)


class Server:
    def __init__(self, project: Project, *args: str, exchange: bool = True) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
        program = [str(ROOT / "build.py")] if exchange else ["-c", WITHOUT_EXCHANGE]
        self.proc = subprocess.Popen(
            [sys.executable, *program, "serve", "--port", "0", *args],
            cwd=project.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,  # its own process group, as in a terminal of its own
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
        sock.sendall(f"GET /__explainer/events HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n\r\n".encode())
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

    def kill(self) -> None:
        """Kill the server and every process it started (which may hold its output open)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.communicate(timeout=20)  # also closes the pipes

    def stop(self) -> subprocess.CompletedProcess[str]:
        """Stop the server as Ctrl-C does; fail if it takes more than 20 s."""
        self.proc.send_signal(signal.SIGINT)
        try:
            out, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, out, err)


class Events:
    """One open live-reload stream, read as statuses are needed."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(f"GET /__explainer/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
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
