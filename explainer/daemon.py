"""The build daemon: what a build knew, kept in memory for the next run of the command line.

Reading the build cache from disk costs about a second at a few thousand articles, far
more than redoing a one-article edit. So a build run from a terminal leaves a process
behind that holds its state (the model, the conversions, what each page read); the next
`build.py` for the same output folder hands its work to that process over a socket and
prints what it answers. The process does what an in-process build does — the same
stages, the same atomic swap, the same cache on disk after every build — so using it
or not never changes a byte of the site.

A daemon answers only to the same user, for exactly the same build: its address is a
digest of everything a build depends on (code, package versions, options, working
folder, output folder), so after any change to those it is simply not found, and the
build runs in its own process as it would without one. It goes away after
IDLE_SECONDS without a build, after a build that could not write the site or was
interrupted (its memory might then be ahead of the output folder), and when
`--no-daemon` asks it to.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import signal
import socket
import stat
import struct
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from .core.errors import BuildFailed
from .core.options import BuildOptions, BuildResult
from .core.processes import start_detached
from .core.progress import Progress
from .incremental import CachedBuild, build_key

IDLE_SECONDS = 15 * 60
_LENGTH = struct.Struct(">Q")
_CREDENTIALS = struct.Struct("3i")  # pid, uid, gid (SO_PEERCRED)
# What else a build reads from its environment, handed over with each request.
ENVIRONMENT = ("SOURCE_DATE_EPOCH",)


def address(options: BuildOptions) -> Path | None:
    """Where the daemon for this build listens: a socket in a folder only we can enter.

    None where there can be no daemon (no Unix sockets, or the folder is not ours).
    """
    if not hasattr(socket, "AF_UNIX") or not hasattr(os, "fork"):
        return None
    folder = Path(tempfile.gettempdir()) / f"explainer-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        st = folder.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None  # someone else's, or open to others: no daemon rather than a risky one
    digest = hashlib.blake2b(
        f"{build_key(options)}\0{options.out.resolve()}".encode(), digest_size=12
    ).hexdigest()
    return folder / f"{digest}.sock"


def build(options: BuildOptions, started: float, progress: Progress) -> BuildResult:
    """Build through this build's daemon; without one, build here and leave one behind."""
    where = address(options)
    if where is not None:
        answer = _ask(where, options, started)
        if answer is not None:
            return answer
    builder = CachedBuild(options)
    # The daemon left behind writes the cache, after we have reported: off the wait.
    builder.defer_saving = where is not None
    result = builder.run(started, progress)
    if where is None:
        return result
    progress.clear()
    pid = _start(builder, where)
    if not pid:
        builder.save()  # no daemon to write it
    return replace(result, daemon_left=pid)


def stop(options: BuildOptions) -> bool:
    """Ask this build's daemon to go away; return whether there was one."""
    where = address(options)
    if where is None:
        return False
    connection = _connect(where)
    if connection is None:
        return False
    with connection, contextlib.suppress(OSError, EOFError, pickle.UnpicklingError):
        _receive(connection)
        _send(connection, {"stop": True})
        _receive(connection)
    return True


# -- the client side ---------------------------------------------------------------------


def _connect(where: Path) -> socket.socket | None:
    """Connect to a daemon run by this user, or return None."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(os.fspath(where))
        _, uid, _ = _peer(connection)
    except OSError:
        connection.close()
        return None
    if uid != os.getuid():
        connection.close()
        return None
    return connection


def _peer(connection: socket.socket) -> tuple[int, int, int]:
    raw = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _CREDENTIALS.size)
    pid, uid, gid = _CREDENTIALS.unpack(raw)
    return pid, uid, gid


def _ask(where: Path, options: BuildOptions, started: float) -> BuildResult | None:
    """Have the daemon build; None if there is none or it could not answer."""
    connection = _connect(where)
    if connection is None:
        return None
    with connection:
        request = {
            "key": build_key(options),
            "options": options,
            "environment": {name: os.environ.get(name) for name in ENVIRONMENT},
        }
        try:
            pid = int(_receive(connection)["pid"])  # it says who it is first
            _send(connection, request)
        except (OSError, EOFError, pickle.UnpicklingError, KeyError, TypeError, ValueError):
            return None  # it went away: build here, from the cache on disk
        try:
            answer = _receive(connection)
        except KeyboardInterrupt:
            _interrupt(connection, pid)
            raise
        except (OSError, EOFError, pickle.UnpicklingError):
            return None
    kind = answer.get("kind")
    if kind == "built":
        result: BuildResult = answer["result"]
        return BuildResult(
            result.pages,
            result.diagnostics,
            time.perf_counter() - started,
            result.up_to_date,
            result.reused,
            result.stages,
            daemon=pid,
        )
    if kind == "failed":
        raise BuildFailed(answer["diagnostics"])
    if kind == "interrupted":
        raise KeyboardInterrupt
    return None  # another build's daemon, or one that stopped: build here


def _interrupt(connection: socket.socket, pid: int) -> None:
    """Pass a Ctrl-C on to the daemon and wait (briefly) until it has stopped the build.

    Then the output folder holds the old site or the new one, whole, when we report.
    """
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGINT)
    connection.settimeout(10)
    with contextlib.suppress(OSError, EOFError, pickle.UnpicklingError, KeyboardInterrupt):
        _receive(connection)


def _send(connection: socket.socket, message: object) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    connection.sendall(_LENGTH.pack(len(payload)) + payload)


def _receive(connection: socket.socket) -> dict[str, Any]:
    (length,) = _LENGTH.unpack(_read(connection, _LENGTH.size))
    message = pickle.loads(_read(connection, length))
    if not isinstance(message, dict):
        raise EOFError("not a message")
    return message


def _read(connection: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = connection.recv(min(size, 1 << 20))
        if not chunk:
            raise EOFError("the connection closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


# -- the daemon side ---------------------------------------------------------------------


def _start(builder: CachedBuild, where: Path) -> int:
    """Leave a process behind that serves builds from builder's state, detached from us.

    Return its process id (0 if none could be started).
    """
    if builder.engine is None or builder.engine.state is None:
        return 0
    listener = _listen(where)
    if listener is None:
        return 0
    try:
        return start_detached(lambda: _serve(builder, listener, where), keep=(listener.fileno(),))
    finally:
        listener.close()


def _listen(where: Path) -> socket.socket | None:
    """Bind a new socket at where, replacing a stale one; None if that cannot be done."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    temporary = where.with_name(f".{where.stem}.{os.getpid()}.sock")
    try:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        listener.bind(os.fspath(temporary))
        listener.listen(8)
        os.rename(temporary, where)  # a client finds either the old daemon or this one
    except OSError:
        listener.close()
        with contextlib.suppress(OSError):
            temporary.unlink()
        return None
    return listener


def _name_process(name: bytes) -> None:
    """Give this process a name of its own (Linux: prctl PR_SET_NAME), where possible."""
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl  # already loaded: no ldconfig
        prctl(15, ctypes.c_char_p(name[:15]), 0, 0, 0)  # 15: PR_SET_NAME
    except (OSError, AttributeError):
        pass


def _serve(builder: CachedBuild, listener: socket.socket, where: Path) -> None:
    """Answer build requests one at a time until idle, told to stop, or a build went wrong."""
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the terminal that started us may close
    signal.signal(signal.SIGINT, signal.default_int_handler)  # a client's Ctrl-C, passed on
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _name_process(b"build daemon")  # what `ps -o comm` and `top` show
    me = where.stat().st_ino
    builder.defer_saving = True  # the cache is written after each answer, not before
    builder.save()  # the build that left us did not write it
    if builder.engine is not None:
        builder.engine.warm()
    idle = float(os.environ.get("EXPLAINER_DAEMON_IDLE", IDLE_SECONDS))
    listener.settimeout(idle)
    try:
        while True:
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                return
            connection.settimeout(None)
            with connection:
                if _peer(connection)[1] != os.getuid():
                    continue
                if not _answer(builder, connection):
                    return
    except KeyboardInterrupt:
        return
    finally:
        with contextlib.suppress(OSError):
            if where.stat().st_ino == me:  # not yet replaced by a newer daemon
                where.unlink()


def _answer(builder: CachedBuild, connection: socket.socket) -> bool:
    """Serve one request; return whether to go on serving."""
    try:
        _send(connection, {"pid": os.getpid()})  # SO_PEERCRED names who listened: not us
        request = _receive(connection)
    except (OSError, EOFError, pickle.UnpicklingError):
        return True
    if request.get("stop") or request.get("key") != build_key(builder.options):
        _reply(connection, {"kind": "gone"})
        return False
    if request.get("options") != builder.options:
        # Other settings for the same folder: that build leaves a daemon of its own at
        # this address, and nobody could reach this one again.
        _reply(connection, {"kind": "other"})
        return False
    for name, value in request.get("environment", {}).items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    started = time.perf_counter()
    try:
        result = builder.run(started, Progress(enabled=False))
    except BuildFailed as failed:
        _reply(connection, {"kind": "failed", "diagnostics": failed.diagnostics})
        # Content errors leave the last good state in memory; a failure to write the
        # site drops it (the cache on disk holds the truth then): no state, no daemon.
        return builder.engine is not None
    except KeyboardInterrupt:
        _reply(connection, {"kind": "interrupted"})
        return False
    except Exception:  # a bug: the client builds again itself, and shows it
        _reply(connection, {"kind": "gone"})
        return False
    _reply(connection, {"kind": "built", "result": result})
    connection.close()
    builder.save()
    return True


def _reply(connection: socket.socket, message: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):  # the client may be gone: the site is built anyway
        _send(connection, message)


def in_terminal() -> bool:
    """Whether a person runs this build at a terminal (not a script or CI)."""
    return sys.stderr.isatty() and not os.environ.get("CI")
