"""The preview server, for real: a subprocess on a free port, fetched over HTTP."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MAY, ROOT, Project, article
from figures import record
from serve_helpers import Server


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
    server.kill()


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
    built = project.build("--no-search", "--out", "_built")
    assert built.returncode == 0, built.stderr
    page = (project.root / "_built/articles/story/index.html").read_text()
    assert "/__explainer/reload.js" not in page
    # the preview serves what a build writes, plus the reload script and nothing else
    assert body.replace('<script src="/__explainer/reload.js" defer></script>\n', "") == page
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


OUTSIDE = {400, 404}
# (what it tries, the request line, the answers allowed). Each goes on its own connection.
ATTACKS: list[tuple[str, bytes, set[int | None]]] = [
    ("dot-dot", b"GET /../site.yaml", OUTSIDE),
    ("dot-dot twice, to the project", b"GET /../../secret.txt", OUTSIDE),
    ("dot-dot thrice, out of the project", b"GET /../../../outside.txt", OUTSIDE),
    ("dot-dot twenty times", b"GET /" + b"../" * 20 + b"etc/passwd", OUTSIDE),
    ("dot-dot after a folder", b"GET /static/../../secret.txt", OUTSIDE),
    ("encoded dots", b"GET /%2e%2e/%2e%2e/secret.txt", OUTSIDE),
    ("encoded dots, capitals", b"GET /%2E%2E/%2E%2E/secret.txt", OUTSIDE),
    ("one dot encoded", b"GET /.%2e/.%2e/secret.txt", OUTSIDE),
    ("encoded slash", b"GET /..%2f..%2fsecret.txt", OUTSIDE),
    ("encoded slash, capitals", b"GET /..%2F..%2Fsecret.txt", OUTSIDE),
    ("all encoded", b"GET /%2e%2e%2f%2e%2e%2fsecret.txt", OUTSIDE),
    ("all encoded, to /etc", b"GET /%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd", OUTSIDE),
    ("encoded twice", b"GET /%252e%252e/%252e%252e/secret.txt", OUTSIDE),
    ("overlong UTF-8 dots", b"GET /%c0%ae%c0%ae/%c0%ae%c0%ae/secret.txt", OUTSIDE),
    ("backslashes", b"GET /..\\..\\secret.txt", OUTSIDE),
    ("encoded backslashes", b"GET /..%5c..%5csecret.txt", OUTSIDE),
    ("semicolons", b"GET /static/..;/..;/secret.txt", OUTSIDE),
    ("no leading slash", b"GET ../../secret.txt", OUTSIDE),
    ("home folder", b"GET /~/secret.txt", OUTSIDE),
    ("absolute path", b"GET /etc/passwd", OUTSIDE),
    ("double slash", b"GET //etc/passwd", OUTSIDE),
    # (403: the URL names a host other than the preview's address and port)
    ("absolute URL", b"GET http://127.0.0.1/../../secret.txt", {403, *OUTSIDE}),
    ("absolute URL, other host", b"GET http://evil.example/etc/passwd", {403, *OUTSIDE}),
    ("asterisk", b"GET *", OUTSIDE),
    ("query and fragment", b"GET /?../../secret.txt#../../secret.txt", {200}),
    ("encoded NUL", b"GET /index.html%00.txt", {400}),
    ("raw NUL", b"GET /index.html\x00.txt", {400}),
    ("long URL", b"GET /" + b"a" * 3000, {400, 414}),
    ("very long URL", b"GET /" + b"a" * 70_000, {400, 414}),
    ("symlink to a file outside", b"GET /leak.txt", {404}),
    ("symlink to a folder outside", b"GET /leak-folder/outside.txt", {404}),
    ("relative symlink up and out", b"GET /static/up.txt", {404}),
    ("folder without index.html", b"GET /static/", {404}),
    ("CR LF into a header", b"GET /articles%0d%0aSet-Cookie:%20taken=1", OUTSIDE),
    ("CR LF into a redirect", b"GET /articles/%0d%0aSet-Cookie:%20taken=1/..", {301, *OUTSIDE}),
    ("redirect to another site", b"GET /%2Fevil.example/..%2Farticles", {301, *OUTSIDE}),
    (
        "redirect to another site, twice",
        b"GET /%2F%2Fevil.example/..%2F..%2Farticles",
        {301, *OUTSIDE},
    ),
    ("redirect by backslash", b"GET /%5Cevil.example/..%2Farticles", {301, *OUTSIDE}),
    ("HTTP/0.9 request", b"GET /../../secret.txt\r\n", {None, *OUTSIDE}),
    ("POST", b"POST /", {405}),
    ("PUT", b"PUT /secret.txt", {405}),
    ("DELETE", b"DELETE /index.html", {405}),
    ("PATCH", b"PATCH /", {405}),
    ("OPTIONS", b"OPTIONS *", {405}),
    ("TRACE", b"TRACE /", {405}),
    ("CONNECT", b"CONNECT evil.example:443", {405}),
    ("PROPFIND", b"PROPFIND /", {405, 501}),
    ("made-up method", b"STEAL /secret.txt", {405, 501}),
    # controls: what must keep working
    ("control: home page", b"GET /", {200}),
    ("control: HEAD", b"HEAD /", {200}),
    ("control: a page", b"GET /articles/story/", {200}),
    ("control: dot-dot inside the site", b"GET /static/../articles/story/", {200}),
    ("control: folder without a slash", b"GET /articles", {301}),
]
SECRETS = (b"TOP-SECRET", b"base_url", b"root:")


def send_raw(
    port: int, request_line: bytes, host: bytes | None = None, headers: bytes = b""
) -> tuple[int | None, dict[str, str], bytes]:
    """Send one request exactly as given; return the status, headers and everything sent back.

    The Host header is the server's own address unless `host` is given (b"" for none).
    """
    request = request_line
    if host is None:
        host = f"127.0.0.1:{port}".encode()
    if not request_line.endswith(b"\r\n"):  # (an HTTP/0.9 request is sent as it is)
        host_line = b"Host: " + host + b"\r\n" if host else b""
        request += b" HTTP/1.1\r\n" + host_line + headers + b"Connection: close\r\n\r\n"
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)  # nothing more is coming (HTTP/0.9 has no blank line)
        while chunk := sock.recv(65536):
            received += chunk
    match = re.match(rb"HTTP/1\.[01] (\d{3}) ", received)
    if not match:
        return None, {}, received
    head = received.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    headers: dict[str, str] = {}
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return int(match.group(1)), headers, received


def test_requests_for_anything_outside_the_site_get_nothing(served, tmp_path):
    project, server = served
    project.write("secret.txt", "TOP-SECRET in the project folder\n")
    (tmp_path / "outside.txt").write_text("TOP-SECRET outside the project\n", encoding="utf-8")
    (tmp_path / "outside-folder").mkdir()
    (tmp_path / "outside-folder/outside.txt").write_text("TOP-SECRET too\n", encoding="utf-8")
    problems = []
    answers: dict[str, int | None] = {}
    for name, request_line, allowed in ATTACKS:
        status, headers, received = send_raw(server.port, request_line)
        answers[name] = status
        if status not in allowed:
            problems.append(f"{name}: {status}, expected one of {sorted(allowed, key=str)}")
        if any(secret in received for secret in SECRETS):
            problems.append(f"{name}: the answer holds a file from outside the site")
        if "set-cookie" in headers:
            problems.append(f"{name}: a header was injected: {headers}")
        location = headers.get("location", "")
        if status == 301 and not re.fullmatch(r"/(?![/\\])[^\s\\]*", location):
            problems.append(f"{name}: redirects to {location!r}, which may leave the site")
    assert server.request("/")[0] == 200, "the server stopped answering"
    results = {
        str(code): sum(1 for s in answers.values() if s == code)
        for code in sorted({s for s in answers.values()}, key=str)
    }
    record(
        "serve-attacks",
        cases=len(ATTACKS),
        failures=len(problems),
        results=results,
        answers=answers,
    )
    assert problems == [], "\n".join(problems)


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


@pytest.mark.skipif(not Path("/proc/net/tcp").is_file(), reason="reads /proc/net/tcp")
def test_listens_on_loopback_only_by_default(served):
    _, server = served
    listening = [
        fields[1]
        for table in ("/proc/net/tcp", "/proc/net/tcp6")
        if Path(table).is_file()
        for fields in (line.split() for line in Path(table).read_text().splitlines()[1:])
        if fields[1].endswith(f":{server.port:04X}") and fields[3] == "0A"  # LISTEN
    ]
    assert listening == [f"0100007F:{server.port:04X}"]  # 127.0.0.1, and nothing else


def test_listening_beyond_loopback_warns(make_project):
    project = make_project({"content/people/theresa-may.md": MAY})
    server = Server(project, "--host", "0.0.0.0")
    try:
        pass
    finally:
        done = server.stop()
    assert "warning: serving on 0.0.0.0 makes the preview" in done.stderr


def test_preview_serves_from_memory_and_writes_no_site(served):
    project, server = served
    assert server.request("/")[0] == 200
    assert not (project.root / "_site").exists()
    assert not (project.root / ".cache/preview").exists()


# --- Only requests addressed to the preview itself (DNS rebinding) ---

FOREIGN_HOSTS = [
    b"evil.example",
    b"evil.example:{port}",
    b"127.0.0.1.evil.example:{port}",
    b"localhost.evil.example:{port}",
    b"evillocalhost:{port}",
    b"localhost.:{port}",
    b"10.0.0.5:{port}",
    b"[fe80::1]:{port}",
    b"[::ffff:7f00:1]x:{port}",
    b"127.0.0.1:{port}@evil.example",
    b"127.0.0.1:{port}/evil.example",
    b"127.0.0.1 evil.example",
    b"127.0.0.1:1",
    b"localhost",  # no port: port 80, which is not this server's
    b"::1",  # an IPv6 address must be in brackets
    b"",  # a Host header with nothing in it
]
# Every kind of thing the preview answers: pages, a draft, the 404 page, site assets,
# the live-reload stream and its script and style.
HOST_PATHS = [
    b"/",
    b"/articles/story/",
    b"/articles/later/",
    b"/articles",
    b"/no-such-page/",
    b"/static/style.css",
    b"/feed.xml",
    b"/__explainer/events",
    b"/__explainer/reload.js",
    b"/__explainer/preview.css",
]
REFUSED = (
    "This preview answers only requests addressed to http://127.0.0.1:{port}/ or "
    "http://localhost:{port}/; this one was addressed elsewhere (a web page may be trying to "
    "read the preview). To reach it under another name, restart it with --host NAME.\n"
)
SITE_MARKS = (b"<html", b"spoke on Tuesday", b"draft", b"EventSource", b"event: status", b"{")


def refused_body(received: bytes) -> bytes:
    return received.split(b"\r\n\r\n", 1)[1]


def test_requests_for_another_host_get_nothing_of_the_site(served):
    _, server = served
    port = server.port
    expected = REFUSED.format(port=port).encode()
    problems = []
    for host in FOREIGN_HOSTS:
        host = host.replace(b"{port}", str(port).encode())
        for path in HOST_PATHS:
            for method in (b"GET", b"HEAD"):
                status, headers, received = send_raw(port, method + b" " + path, host=host)
                body = refused_body(received) if status else received
                want = b"" if method == b"HEAD" else expected
                if status != 403 or body != want:
                    problems.append(f"Host {host!r} {method!r} {path!r}: {status} {body[:80]!r}")
                if headers.get("content-type") != "text/plain; charset=utf-8":
                    problems.append(f"Host {host!r} {path!r}: {headers.get('content-type')}")
                if any(mark in received for mark in SITE_MARKS):
                    problems.append(f"Host {host!r} {path!r}: part of the site was sent")
    assert problems == [], "\n".join(problems)


def test_requests_without_one_host_are_refused(served):
    _, server = served
    port = server.port
    expected = REFUSED.format(port=port).encode()
    own = f"127.0.0.1:{port}".encode()
    cases = {
        "no Host header": send_raw(port, b"GET /articles/later/", host=b""),
        "two Host headers, the second foreign": send_raw(
            port, b"GET /articles/later/", headers=b"Host: evil.example\r\n"
        ),
        "two Host headers, both its own": send_raw(
            port, b"GET /articles/later/", headers=b"Host: " + own + b"\r\n"
        ),
        "an absolute URL naming another host": send_raw(
            port, b"GET http://evil.example:" + str(port).encode() + b"/articles/later/"
        ),
        "POST to another host": send_raw(port, b"POST /", host=b"evil.example"),
        "a made-up method to another host": send_raw(port, b"STEAL /", host=b"evil.example"),
    }
    for name, (status, _, received) in cases.items():
        assert (status, refused_body(received)) == (403, expected), name
    # HTTP/1.0 without a Host header, and HTTP/0.9, which cannot have one
    status, _, received = send_raw(port, b"GET /articles/later/ HTTP/1.0\r\n\r\n")
    assert (status, refused_body(received)) == (403, expected)
    status, _, received = send_raw(port, b"GET /articles/later/\r\n")
    assert (status, received) == (None, expected)


def test_its_own_names_still_get_the_site(served):
    _, server = served
    port = server.port
    for host in (
        f"127.0.0.1:{port}",
        f"localhost:{port}",
        f"LocalHost:{port}",
        f"[::1]:{port}",
        f"127.0.0.2:{port}",
        f"preview.localhost:{port}",
    ):
        status, _, received = send_raw(port, b"GET /articles/later/", host=host.encode())
        assert status == 200 and b"draft-banner" in received, host
        status, _, received = send_raw(port, b"GET /__explainer/reload.js", host=host.encode())
        assert status == 200 and b"EventSource" in received, host
    # the live-reload stream answers its own host with a status at once
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET /__explainer/events HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n".encode())
        received = b""
        while b"event: status" not in received:
            chunk = sock.recv(65536)
            assert chunk, received
            received += chunk
    assert received.startswith(b"HTTP/1.1 200 ")


def test_a_host_given_with_host_is_answered_and_others_are_not(make_project):
    project = make_project(
        {
            "content/people/theresa-may.md": MAY,
            "content/articles/story.md": article("She spoke at noon.", people=["theresa-may"]),
        }
    )
    server = Server(project, "--host", "0.0.0.0")
    try:
        port = server.port
        for host, want in (
            (f"0.0.0.0:{port}", 200),
            (f"192.0.2.7:{port}", 200),  # any address: a rebinding attack needs a name
            (f"localhost:{port}", 200),
            (f"evil.example:{port}", 403),
            (f"192.0.2.7:{port + 1}", 403),
        ):
            status, _, received = send_raw(port, b"GET /articles/story/", host=host.encode())
            assert status == want, host
            assert (b"spoke at noon" in received) == (want == 200), host
        status, _, received = send_raw(port, b"GET /", host=b"evil.example")
        assert refused_body(received) == (
            f"This preview answers only requests addressed to http://0.0.0.0:{port}/ or "
            f"http://localhost:{port}/; this one was addressed elsewhere (a web page may be "
            "trying to read the preview). To reach it under another name, restart it with "
            "--host NAME.\n"
        ).encode()
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("host", "listen", "port", "allowed"),
    [
        ("127.0.0.1:8000", "127.0.0.1", 8000, True),
        ("localhost:8000", "127.0.0.1", 8000, True),
        ("[::1]:8000", "::1", 8000, True),
        ("[::1]:8000", "127.0.0.1", 8000, True),
        ("localhost", "127.0.0.1", 80, True),
        ("mybox.lan:8000", "mybox.lan", 8000, True),
        ("MyBox.LAN:8000", "mybox.lan", 8000, True),
        ("[2001:db8::5]:8000", "::", 8000, True),
        ("10.1.2.3:8000", "0.0.0.0", 8000, True),
        (None, "127.0.0.1", 8000, False),
        ("localhost", "127.0.0.1", 8000, False),
        ("localhost:80", "127.0.0.1", 8000, False),
        ("evil.example:8000", "127.0.0.1", 8000, False),
        ("evil.example:8000", "0.0.0.0", 8000, False),
        ("10.1.2.3:8000", "127.0.0.1", 8000, False),
        ("10.1.2.3:8000", "mybox.lan", 8000, False),
        ("mybox.lan.evil.example:8000", "mybox.lan", 8000, False),
        ("[127.0.0.1]:8000", "127.0.0.1", 8000, False),
        ("localhost:8000:8000", "127.0.0.1", 8000, False),
        ("localhost:", "127.0.0.1", 8000, False),
        ("user@localhost:8000", "127.0.0.1", 8000, False),
    ],
)
def test_allowed_host(host, listen, port, allowed):
    from explainer.serve.server import allowed_host

    assert allowed_host(host, listen, port) is allowed
