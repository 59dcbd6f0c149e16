"""The preview server: build, serve on loopback, rebuild on save, reload open pages."""

from __future__ import annotations

import errno
import http.server
import ipaddress
import json
import os
import posixpath
import re
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn, cast
from urllib.parse import quote, unquote, urlsplit

from ..core.errors import BuildFailed, Diagnostic, display_path
from ..core.options import BuildOptions
from ..core.processes import (
    death_signal,
    hold_stopping_signals_over_forks,
    raise_interrupt,
    terminate_children,
)
from ..incremental import Session
from ..incremental.store import tree_manifest

ASSETS = Path(__file__).parent / "assets"
MAX_URL = 2048
PING_SECONDS = 15.0
SWAP_SECONDS = 1.0  # the longest a request waits for a site being swapped in
RELOAD_TAG = b'<script src="/__explainer/reload.js" defer></script>'
GARBAGE_EVERY = 20  # updates between full garbage collections
WATCH_STEP_MS = 20  # a burst of changes ends when none came for this long
SETTLE_SECONDS = 0.25  # after a rebuild, before the watcher looks through every file


@dataclass(frozen=True)
class Status:
    """The outcome of the latest build, as the open pages hear of it."""

    version: int = 0
    ok: bool = True
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    css_only: bool = False
    changed: tuple[str, ...] | None = None  # url paths whose page changed; None: any may have

    def event(self) -> bytes:
        data = json.dumps(
            {
                "version": self.version,
                "ok": self.ok,
                "errors": list(self.errors),
                "warnings": list(self.warnings),
                "css_only": self.css_only,
                "changed": None if self.changed is None else list(self.changed),
            }
        )
        return f"event: status\ndata: {data}\n\n".encode()


class Bell:
    """Rung once; whoever waits on it, now or later, wakes."""

    def __init__(self) -> None:
        self._ear, self._clapper = socket.socketpair()

    def fileno(self) -> int:
        return self._ear.fileno()

    def ring(self) -> None:
        # Nobody reads the byte, so the bell stays readable for every waiter, for good.
        # (Closing one end instead would not do: forked build workers hold copies of it.)
        self._clapper.send(b"!")

    def __del__(self) -> None:  # the last waiter has let go
        self._ear.close()
        self._clapper.close()


@dataclass
class Preview:
    """Shared state between the watcher, the builder and the request handlers."""

    options: BuildOptions
    session: Session
    status: Status = field(default_factory=Status)
    bell: Bell = field(default_factory=Bell)  # rung when status changes or the server stops
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    building: threading.Lock = field(default_factory=threading.Lock)
    pages: Mapping[str, bytes] = field(default_factory=dict)  # the site served, by output path
    updates: int = 0
    warned: set[Diagnostic] = field(default_factory=set)  # the warnings printed and still true

    def publish(self, status: Status) -> None:
        with self.lock:
            self.status = status
        self.wake_listeners()

    def latest(self) -> tuple[Status, Bell]:
        """Return the current status and the bell that rings when it is replaced."""
        with self.lock:
            return self.status, self.bell

    def wake_listeners(self) -> None:
        with self.lock:
            rung, self.bell = self.bell, Bell()
        rung.ring()

    def rebuild(
        self, css_only: bool = False, quiet: bool = False, touched: list[Path] | None = None
    ) -> None:
        """Build once; on failure keep serving the last good site and report why.

        `touched`: content files whose contents alone changed, when that is all that did.
        """
        with self.building:
            if not self.stopping.is_set():
                self._rebuild(css_only, quiet, touched)

    def _rebuild(self, css_only: bool, quiet: bool, touched: list[Path] | None) -> None:
        started = time.perf_counter()
        try:
            update = self.session.update(touched)
        except BuildFailed as failed:
            for diagnostic in sorted(failed.diagnostics, key=lambda d: (d.severity != "error", d)):
                print(diagnostic, file=sys.stderr)
            errors = len(failed.errors)
            print(
                f"Build failed: {errors} error{'' if errors == 1 else 's'}; "
                "still serving the last good build.",
                file=sys.stderr,
            )
            self.publish(
                Status(
                    version=self.status.version + 1,
                    ok=False,
                    errors=_lines(failed.diagnostics, "error"),
                    warnings=_lines(failed.diagnostics, "warning"),
                )
            )
            return
        pages = self.session.pages  # served as it is now, while the next update runs
        with self.lock:
            self.pages = pages
        warnings = [d for d in update.diagnostics if d.severity == "warning"]
        # Each warning is printed once, when it first appears: a save that fixes or
        # changes nothing about the others does not print them all again.
        for diagnostic in sorted(set(warnings) - self.warned):
            print(diagnostic, file=sys.stderr)
        self.warned = set(warnings)
        changed: tuple[str, ...] | None = tuple(
            sorted({_url_of(out) for out in (*update.rendered, *update.removed)})
        )
        if self.session.static_changed and not css_only:
            changed = None  # a script or picture pages use: reload them all
        if not quiet:
            seconds = time.perf_counter() - started
            kept = len(update.pages) - len(update.rendered)
            what = (
                f"built {len(update.pages)} pages"
                if update.fresh
                else f"rebuilt {len(update.rendered)} pages, {kept} unchanged"
            )
            print(f"{time.strftime('%H:%M:%S')} {what} in {seconds:.2f} s")
        self.publish(
            Status(
                version=self.status.version + 1,
                ok=True,
                warnings=_lines(update.diagnostics, "warning"),
                css_only=css_only,
                changed=None if update.fresh or not self.status.ok else changed,
            )
        )
        self.updates += 1
        if self.updates % GARBAGE_EVERY == 0:
            self.session.engine.collect_garbage()  # after the page is served: time to spare


def _url_of(out_path: str) -> str:
    """Return the address path of an output file: 'articles/x/index.html' -> '/articles/x/'."""
    if out_path == "index.html" or out_path.endswith("/index.html"):
        return "/" + out_path.removesuffix("index.html")
    return "/" + out_path


def _lines(diagnostics: tuple[Diagnostic, ...], severity: str) -> tuple[str, ...]:
    return tuple(str(d) for d in sorted(diagnostics) if d.severity == severity)


def allowed_host(host_header: str | None, listen_host: str, port: int) -> bool:
    """Return whether a Host header names this preview: a loopback name or address, or --host.

    A page on any web site can point its own domain at 127.0.0.1 (DNS rebinding) and
    read what the preview answers, but its requests still carry that domain as Host.
    The port must be the preview's own (no port means 80). When listening on every
    address (0.0.0.0 or ::), any IP address is accepted too: rebinding needs a name.
    """
    if host_header is None:
        return False
    match = HOST_RE.fullmatch(host_header.strip())
    if match is None:
        return False
    name = (match["ipv6"] or match["name"] or "").lower()
    if int(match["port"] or 80) != port:
        return False
    if name == "localhost" or name.endswith(".localhost"):  # always loopback (RFC 6761)
        return True
    address = _ip(name)
    if match["ipv6"] and not isinstance(address, ipaddress.IPv6Address):
        return False
    if address is not None and address.is_loopback:
        return True
    listen = listen_host.strip().strip("[]").lower()
    if name == listen:
        return True
    listen_address = _ip(listen)
    return address is not None and listen_address is not None and listen_address.is_unspecified


# host, or [IPv6 address], then an optional :port
HOST_RE = re.compile(
    r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9.-]+))(?::(?P<port>\d{1,5}))?"
)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class Handler(http.server.BaseHTTPRequestHandler):
    """Answer GET and HEAD from the output folder, plus the live-reload endpoints."""

    preview: Preview  # set on a subclass per server
    listen_host = "127.0.0.1"  # the --host given; set on a subclass per server
    protocol_version = "HTTP/1.1"
    server_version = "explainer-preview"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        return  # keep the terminal for build messages

    def parse_request(self) -> bool:
        """Read the request line and headers; refuse, before anything else, a foreign Host."""
        if not super().parse_request():
            return False
        port = int(cast(tuple[Any, ...], self.server.server_address)[1])
        hosts = self.headers.get_all("Host") or []
        named = hosts[:1]
        authority = urlsplit(self.path).netloc  # "GET http://host/ HTTP/1.1" names one too
        if authority:
            named.append(authority)
        if len(hosts) == 1 and all(allowed_host(h, self.listen_host, port) for h in named):
            return True
        shown = f"[{self.listen_host}]" if ":" in self.listen_host else self.listen_host
        places = dict.fromkeys((f"http://{shown}:{port}/", f"http://localhost:{port}/"))
        self.close_connection = True
        self._send(
            403,
            (
                "This preview answers only requests addressed to "
                + " or ".join(places)
                + "; this one was addressed elsewhere (a web page may be trying to read "
                "the preview). To reach it under another name, restart it with --host NAME.\n"
            ).encode(),
            "text/plain; charset=utf-8",
            head=self.command == "HEAD",
            extra={"Connection": "close"},
        )
        return False

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._answer(head=False)

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib name
        self._answer(head=True)

    def _refuse(self) -> None:
        self._send(
            405,
            b"Only GET and HEAD are supported.\n",
            "text/plain",
            head=False,
            extra={"Allow": "GET, HEAD"},
        )

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse  # noqa: N815

    def _send(
        self, code: int, body: bytes, kind: str, head: bool, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _answer(self, head: bool) -> None:
        if len(self.path) > MAX_URL or "\x00" in self.path:
            self._send(400, b"Bad request.\n", "text/plain", head)
            return
        path = unquote(urlsplit(self.path).path)
        if "\\" in path or any(ord(c) < 32 or ord(c) == 127 for c in path):
            self._send(400, b"Bad request.\n", "text/plain", head)
            return
        if path == "/__explainer/events":
            self._events()
            return
        if path in ("/__explainer/reload.js", "/__explainer/preview.css"):
            name = path.rsplit("/", 1)[1]
            kind = "text/javascript" if name.endswith(".js") else "text/css"
            self._send(200, (ASSETS / name).read_bytes(), f"{kind}; charset=utf-8", head)
            return
        with self.preview.lock:
            pages = self.preview.pages
        answer = route(path, pages)
        if answer.location:
            self._send(301, b"", "text/plain", head, {"Location": answer.location})
        elif answer.name:
            self._send_file(answer.name, answer.body, head, answer.code)
        else:
            self._send(answer.code, answer.body, "text/plain", head)

    def _send_file(self, name: str, body: bytes, head: bool, code: int) -> None:
        kind = _content_type(name)
        if kind.startswith("text/html"):
            body = inject_reload(body)
        self._send(code, body, kind, head)

    def _events(self) -> None:
        """Stream statuses to an open page until it is closed or the server stops.

        Each stream waits on its own connection (to let go of a closed page at once) and
        on the preview's bell; it never polls, and a rebuild takes no lock it holds.
        """
        preview = self.preview
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        seen = -1
        try:
            while not preview.stopping.is_set():
                status, bell = preview.latest()
                if status.version != seen:
                    self.wfile.write(status.event())
                    seen = status.version
                page, rung = _wait_for(self.connection, bell, PING_SECONDS)
                if page and not self.connection.recv(4096):
                    return  # the page was closed or reloaded
                if not page and not rung:
                    self.wfile.write(b": ping\n\n")
        except OSError:
            return


def _wait_for(connection: socket.socket, bell: Bell, seconds: float) -> tuple[bool, bool]:
    """Wait at most `seconds` for the page to send or close, or the bell to ring; say which."""
    fds = (connection.fileno(), bell.fileno())
    if hasattr(select, "poll"):
        poller = select.poll()
        for fd in fds:
            poller.register(fd, select.POLLIN)
        ready = {fd for fd, _ in poller.poll(seconds * 1000)}
    else:  # pragma: no cover - Windows
        ready = set(select.select(list(fds), [], [], seconds)[0])
    return fds[0] in ready, fds[1] in ready


@dataclass(frozen=True)
class Answer:
    """What the preview answers to a GET of one path: a page, a redirect or nothing."""

    code: int
    body: bytes = b""
    name: str = ""  # the file's name, which sets the content type; '' for plain text
    location: str = ""


NOT_FOUND = Answer(404, b"Not found.\n")


def route(path: str, pages: Mapping[str, bytes]) -> Answer:
    """Answer a decoded URL path from the site's pages (output path -> bytes)."""
    parts = _url_parts(path)
    if parts is None:
        return _not_found(pages)
    rel = "/".join(parts)
    if rel in pages and not path.endswith("/"):
        return Answer(200, pages[rel], parts[-1])
    index = f"{rel}/index.html" if rel else "index.html"
    if index in pages:
        if not path.endswith("/"):
            # From the cleaned parts, never the raw path: "/%2Fevil.example/..%2Fabout"
            # must not send the browser to //evil.example/../about/.
            return Answer(301, location=quote("/" + "".join(f"{part}/" for part in parts)))
        return Answer(200, pages[index], "index.html")
    return _not_found(pages)


def _not_found(pages: Mapping[str, bytes]) -> Answer:
    page = pages.get("404.html")
    return Answer(404, page, "404.html") if page is not None else NOT_FOUND


def _url_parts(path: str) -> list[str] | None:
    """Split a decoded URL path into folder and file names; None for one we never serve."""
    normal = posixpath.normpath("/" + path.lstrip("/"))
    parts = [p for p in normal.split("/") if p]
    if any(p in ("..", ".") or p.startswith("~") for p in parts):
        return None
    return parts


def inject_reload(html: bytes) -> bytes:
    """Add the live-reload script to a page (in the preview only, never on disk)."""
    marker = b"</head>"
    at = html.find(marker)
    if at < 0:
        return html + RELOAD_TAG
    return html[:at] + RELOAD_TAG + b"\n" + html[at:]


TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".wasm": "application/wasm",
}


def _content_type(name: str) -> str:
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    return TYPES.get(suffix, "application/octet-stream")


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The default backlog of 5 drops connections when a page and its assets, or many
    # tabs, connect at once; a dropped connection is retried only after a second or more.
    request_queue_size = socket.SOMAXCONN

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a browser closed its tab or cancelled a request: nothing to report
        super().handle_error(request, client_address)


def _free_port_after(host: str, port: int) -> int | None:
    for candidate in range(port + 1, min(port + 50, 65536)):
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            try:
                probe.bind((host, candidate))
            except OSError:
                continue
            return candidate
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _touched(changes: set[tuple[Any, str]], content: Path) -> list[Path] | None:
    """The content files whose contents changed, when nothing else did; else None."""
    import watchfiles

    found = []
    for change, name in changes:
        path = Path(name)
        if change != watchfiles.Change.modified or content not in path.parents:
            return None
        found.append(path)
    return found or None


def _watch(
    preview: Preview, paths: list[Path], static: Path, content: Path, quiet: bool
) -> None:
    """Rebuild on every burst of changes; also check once a second, in case an event was missed."""
    import watchfiles

    existing = [str(p) for p in paths if p.exists()]
    last = tree_manifest(*paths)
    for changes in watchfiles.watch(
        *existing,
        stop_event=preview.stopping,
        yield_on_timeout=True,
        rust_timeout=1000,
        step=WATCH_STEP_MS,
        raise_interrupt=False,
    ):
        if preview.stopping.is_set():
            return
        if not changes:  # a quiet second: look for anything an event missed
            current = tree_manifest(*paths)
            if current == last:
                continue
            last = current
        names = [Path(name) for _, name in changes]
        css_only = bool(names) and all(n.suffix == ".css" and static in n.parents for n in names)
        preview.rebuild(css_only=css_only, quiet=quiet, touched=_touched(changes, content))
        if changes:
            # Off the save's path: the open page's requests for the new build come first
            # (looking through every file would hold the interpreter meanwhile). Changes
            # made during the pause are still reported by the next burst.
            preview.stopping.wait(SETTLE_SECONDS)
            last = tree_manifest(*paths)


def _in_child(stopping: threading.Event, server: int) -> Callable[[], None]:
    """Return what a process forked for a build does first: leave stopping to the server."""
    die_with_server = death_signal(signal.SIGTERM)

    def start() -> None:
        if stopping.is_set():
            os._exit(0)  # forked for a rebuild the server is abandoning (its pool refills)
        # SIGTERM must kill at once. A Python-level handler runs only between bytecodes:
        # a pool worker that gets it just as it starts waiting for its queue never runs
        # it, and the pool, which stopped it with SIGTERM, waits for it (and the rebuild
        # with it) forever.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        # Ctrl-C reaches every process of the terminal's foreground group. Workers that
        # died of it would print tracebacks, and their pool would start new ones that
        # outlive the server; the server stops its workers itself when Ctrl-C stops it.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # Python's pool may start a worker just as it stops; one the server misses must
        # not outlive it, holding its terminal, waiting for work forever. (Only the
        # server's own children: a grandchild would die with its own parent.)
        if die_with_server is not None and os.getppid() == server and not die_with_server():
            os._exit(0)

    return start


def serve(options: BuildOptions, host: str, port: int, quiet: bool = False) -> int:
    """Build, then serve the site and rebuild it on every change until Ctrl-C."""
    options = replace(options, search=False)
    preview = Preview(options=options, session=Session(options))
    handler = type("PreviewHandler", (Handler,), {"preview": preview, "listen_host": host})
    server_class = type(
        "Server", (_Server,), {"address_family": socket.AF_INET6 if ":" in host else socket.AF_INET}
    )
    try:
        server = server_class((host, port), handler)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            free = _free_port_after(host, port)
            hint = f"try --port {free}, or " if free else "try "
            print(
                f"error: port {port} on {host} is already in use; {hint}--port 0 for any free port",
                file=sys.stderr,
            )
        else:
            print(f"error: cannot listen on {host}:{port}: {err.strerror}", file=sys.stderr)
        return 1
    if not _is_loopback(host):
        print(
            f"warning: serving on {host} makes the preview (drafts included) reachable from "
            "other machines; use the default 127.0.0.1 unless you mean to",
            file=sys.stderr,
        )
    watched = [options.content, options.templates, options.static, options.config_path]
    watcher = threading.Thread(
        target=_watch,
        args=(preview, watched, options.static.resolve(), options.content.resolve(), quiet),
        daemon=True,
    )
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, raise_interrupt)
        # Until a forked child has set its own handlers (_in_child), neither may stop it.
        hold_stopping_signals_over_forks(_in_child(preview.stopping, os.getpid()))
    try:  # Ctrl-C may come at any moment from here on, even during the first build
        watcher.start()
        preview.rebuild(quiet=quiet)
        bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        print(
            f"Serving {display_path(options.root)} on http://{shown}:{bound_port}/ "
            "(Ctrl-C to stop)",
            flush=True,
        )
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        preview.stopping.set()
        preview.wake_listeners()
        server.server_close()
    print("Stopped.")
    if not preview.building.acquire(blocking=False):  # stopped during a rebuild
        _abandon_rebuild()
    return 0


def _abandon_rebuild() -> NoReturn:
    """Exit now, leaving a rebuild unfinished (the next build clears its temporary folder)."""
    # Its process pool cannot be shut down from here, and Python's exit would try: it
    # stops the workers, then waits on the pool's queue, which a stopped worker may hold.
    terminate_children()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
