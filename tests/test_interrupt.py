"""Interrupted builds: the output folder is always the whole old site or the whole new one.

Real `build.py` processes, going from a complete old site to changed content, are frozen
(SIGSTOP) at random moments; the test notes how far the build had got, then kills or
interrupts it. For the few milliseconds of the swap, strace stops the build exactly at
each system call instead. Afterwards the output folder must be byte for byte one of two
snapshots made by clean builds of the old and the new content, and the next build must
finish the job and leave no temporary folder behind.

How far a build had got (its phase): starting (Python itself starting), preparing
(loading, linking, rendering), writing (the temporary folder exists, no index yet),
indexing, complete (the temporary folder is the whole new site), swapped (the new site is
in place), finished (the process had ended).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import ROOT, article, lay_out, snapshot
from core_helpers import settled_siblings, siblings
from figures import record, scaled

PEOPLE = {
    "alex-salmond": "Alex Salmond",
    "boris-johnson": "Boris Johnson",
    "dominic-grieve": "Dominic Grieve",
    "jeremy-corbyn": "Jeremy Corbyn",
    "theresa-may": "Theresa May",
    "vladimir-putin": "Vladimir Putin",
}
TOPICS = ("nato", "kremlin", "labour-party", "conservative-party", "twitter", "downing-street")
OUT = "_site"
ARTICLES = 60  # a build takes about a second
ATTEMPTS = scaled(12, 60)  # per test, at most ...
BUDGET = scaled(6, 60)  # ... and seconds per test (at least MIN_ATTEMPTS are made)
MIN_ATTEMPTS = 4
ROUNDS = scaled(1, 5)  # times each system call around the swap is tried

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="watches builds through /proc"
)


def corpus(count: int, edition: int = 0) -> dict[str, str]:
    """Return the files of a site with `count` articles; edition 1 changes, drops and adds some."""
    files: dict[str, str] = {}
    for kind in ("people", "topics"):
        for path in sorted((ROOT / "content" / kind).glob("*.md")):
            if kind == "people" and path.stem not in PEOPLE:
                continue  # the stories below name only these
            files[f"content/{kind}/{path.name}"] = path.read_text(encoding="utf-8")
    slugs = sorted(PEOPLE)
    for i in range(edition, count + edition):  # edition 1 drops story 0 and adds one
        one, two = slugs[i % 6], slugs[(i + 1 + i // 6) % 6]
        if one == two:
            two = slugs[(i + 2) % 6]
        topic = TOPICS[i % len(TOPICS)]
        para = (
            f"{PEOPLE[one]} met {PEOPLE[two]} to talk about [[{topic}]] and what comes next. "
            "Officials said the talks were long, the notes longer and the outcome unclear. "
        ) * 3
        parts = [para, "## What was said", para, "- one point\n- another point", para]
        if edition and i % 5 == 0:
            parts.append("A later note: the meeting was followed by a statement.")
        files[f"content/articles/story-{i:04}.md"] = article(
            "\n\n".join(parts) + "\n",
            title=f"Story number {i}",
            date=(dt.date(2016, 1, 1) + dt.timedelta(days=3 * i)).isoformat(),
            summary=f"{PEOPLE[one]} and {PEOPLE[two]} on {topic}.",
            people=[one, two],
            topics=[topic],
        )
    if edition:
        may = files["content/people/theresa-may.md"]
        files["content/people/theresa-may.md"] = may.replace("Prime Minister", "PM", 1)
    return files


def build_command(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), "-q", *args]


@dataclass
class Editions:
    """Two contents of one site and the snapshots of their clean builds."""

    files: tuple[dict[str, str], dict[str, str]]
    sites: tuple[dict[str, bytes], dict[str, bytes]]
    built: Path  # a project holding edition 0, built
    seconds: float  # how long a whole build took


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> Editions:
    files = (corpus(ARTICLES, 0), corpus(ARTICLES, 1))
    base = tmp_path_factory.mktemp("editions")
    roots = [lay_out(base / f"edition-{n}", files[n]).root for n in (0, 1)]
    started = time.monotonic()
    runs = [
        subprocess.Popen(build_command("--no-cache"), cwd=root, stderr=subprocess.PIPE, text=True)
        for root in roots
    ]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
        assert err == ""
    sites = (snapshot(roots[0] / OUT), snapshot(roots[1] / OUT))
    assert sites[0] != sites[1]
    return Editions(files, sites, roots[0], time.monotonic() - started)


@dataclass
class Site:
    """A project whose content flips between the two editions, one build at a time."""

    root: Path
    editions: Editions
    content: int = 0  # the edition in content/
    seconds: float = 1.0  # how long the last whole build took
    stamp: int = field(default_factory=time.time_ns)

    @property
    def out(self) -> Path:
        return self.root / OUT

    @property
    def new(self) -> dict[str, bytes]:
        return self.editions.sites[self.content]

    @property
    def old(self) -> dict[str, bytes]:
        return self.editions.sites[1 - self.content]

    def switch_content(self) -> None:
        """Make the content the other edition; changed files get a time of their own."""
        before, target = self.editions.files[self.content], self.editions.files[1 - self.content]
        for rel in sorted(set(target) | set(before)):
            path = self.root / rel
            if rel not in target:
                path.unlink()
            elif before.get(rel) != target[rel]:
                path.write_text(target[rel], encoding="utf-8")
                self.stamp += 1_000_000_000
                os.utime(path, ns=(self.stamp, self.stamp))
        self.content = 1 - self.content

    def outcome(self) -> str:
        """Say which edition the output folder holds: the content's (new), the other, or neither."""
        now = snapshot(self.out)
        return "new" if now == self.new else "old" if now == self.old else "broken"

    def strays(self) -> list[str]:
        """Return work folders left next to the output once background deletion is done."""
        return [n for n in settled_siblings(self.out) if n.startswith(f".{OUT}.")]


@pytest.fixture
def site(editions: Editions, tmp_path: Path) -> Site:
    root = tmp_path / "project"
    shutil.copytree(editions.built, root, symlinks=True)
    return Site(root, editions, seconds=editions.seconds)


@dataclass(frozen=True)
class Landing:
    """Where a build was when the signal came, and what it left."""

    phase: str
    outcome: str
    returncode: int
    stderr: str


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
    except OSError:
        return []
    return [int(n) for n in text.split()]


def _is_indexer(pid: int) -> bool:
    try:
        return b"pagefind" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _handles_sigint(pid: int) -> bool:
    """Tell whether Python has set up its Ctrl-C handler yet (before that, SIGINT just kills)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return True
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) & (1 << (signal.SIGINT - 1)))


def _phase(site: Site, pid: int, out_id: int, finished: bool) -> str:
    """Tell how far a stopped build had got, from the files it left."""
    if finished:
        return "finished"
    try:
        if site.out.stat().st_ino != out_id:
            return "swapped"
    except FileNotFoundError:
        return "missing"
    temps = sorted(site.root.glob(f".{OUT}.tmp-*"))
    if not temps:
        return "preparing" if _handles_sigint(pid) else "starting"
    if not (temps[0] / "pagefind").exists():
        return "writing"
    return "complete" if snapshot(temps[0]) == site.new else "indexing"


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # every process of the build is gone
        os.killpg(pid, sig)


def _wait_resumed(proc: subprocess.Popen[str]) -> str:
    """Wait for a build to end; return its stderr.

    A process forked just as the group was stopped can miss the SIGCONT and stay stopped,
    so the group is told to continue again while we wait.
    """
    deadline = time.monotonic() + 300
    while True:
        try:
            _, stderr = proc.communicate(timeout=0.5)
            return stderr
        except subprocess.TimeoutExpired:
            if time.monotonic() > deadline:
                raise
            _signal_group(proc.pid, signal.SIGCONT)


Wait = Callable[["subprocess.Popen[str]"], None]


def interrupt(
    site: Site,
    wait: Wait | None,
    sig: int,
    whole_group: bool = True,
    prefix: tuple[str, ...] = (),
) -> Landing:
    """Build the other edition; when `wait` returns, freeze the build, note where it is, signal it.

    `whole_group` sends the signal to every process of the build, as a terminal does;
    otherwise only the main process gets it and its helpers carry on. With no `wait`,
    the build is left to end by itself (under `prefix`, a tracer that signals it).
    """
    site.switch_content()
    out_id = site.out.stat().st_ino
    proc = subprocess.Popen(
        [*prefix, *build_command()],
        cwd=site.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        start_new_session=True,  # its own process group, like a job in a terminal
    )
    try:
        if wait is None:
            _, stderr = proc.communicate(timeout=300)
            phase = _phase(site, proc.pid, out_id, finished=False)
        else:
            wait(proc)
            _signal_group(proc.pid, signal.SIGSTOP)
            phase = _phase(site, proc.pid, out_id, proc.poll() is not None)
            if whole_group:
                _signal_group(proc.pid, sig)
            elif proc.returncode is None:
                proc.send_signal(sig)
            _signal_group(proc.pid, signal.SIGCONT)
            stderr = _wait_resumed(proc)
    finally:
        if proc.poll() is None:
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait()
    return Landing(phase, site.outcome(), proc.returncode, stderr)


def after(seconds: float) -> Wait:
    """Wait a fixed time."""

    def wait(proc: subprocess.Popen[str]) -> None:
        time.sleep(seconds)

    return wait


def after_indexing(seconds: float) -> Wait:
    """Wait until the search indexer exits, then `seconds` more: the swap comes next."""

    def wait(proc: subprocess.Popen[str]) -> None:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            indexer = next((c for c in _children(proc.pid) if _is_indexer(c)), None)
            if indexer is None:
                continue
            with contextlib.suppress(ProcessLookupError):  # else it is gone already
                exited = os.pidfd_open(indexer)  # readable the moment it exits
                try:
                    select.select([exited], [], [], deadline - time.monotonic())
                finally:
                    os.close(exited)
            break
        time.sleep(seconds)

    return wait


def finish(site: Site) -> int:
    """Run the next build uninterrupted, check it made the new site; return stray folders."""
    started = time.monotonic()
    done = subprocess.run(
        build_command(), cwd=site.root, capture_output=True, text=True, timeout=300, check=False
    )
    site.seconds = time.monotonic() - started
    assert "Traceback" not in done.stderr
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert site.outcome() == "new"
    return len(site.strays())


# Where the output must stand after a build was stopped in each phase.
KEEPS_OLD = {"starting", "preparing", "writing", "indexing", "complete"}
# Python's own start-up (importing `site`), before any code of ours runs, ends like this.
PYTHON_STARTING = "Fatal Python error: init_import_site"
# ... and so does a Ctrl-C that Python raises as it starts build.py, before its first line.
BEFORE_FIRST_LINE_RE = re.compile(
    r'Traceback \(most recent call last\):\n  File "[^"]*build\.py", line 0, in <module>\n'
    r"KeyboardInterrupt\n\Z"
)


def attempts() -> Iterator[int]:
    """Number the attempts of a test: ATTEMPTS of them, or fewer once BUDGET is spent."""
    started = time.monotonic()
    for n in range(ATTEMPTS):
        if n >= MIN_ATTEMPTS and time.monotonic() - started > BUDGET:
            return
        yield n


@dataclass
class Tally:
    """Counts for the reliability report."""

    attempts: int = 0
    landed: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    strays: int = 0

    def add(self, where: str, landing: Landing, strays: int) -> None:
        self.attempts += 1
        self.landed[where] += 1
        self.outcomes[landing.outcome] += 1
        self.strays += strays

    def figures(self) -> dict[str, object]:
        return {
            "attempts": self.attempts,
            "landed": dict(sorted(self.landed.items())),
            "old": self.outcomes["old"],
            "new": self.outcomes["new"],
            "broken": self.outcomes["broken"],
            "strays_after_next_build": self.strays,
        }


def check_kill(landing: Landing) -> None:
    assert landing.outcome != "broken", landing
    assert landing.outcome == ("old" if landing.phase in KEEPS_OLD else "new"), landing


# What a build interrupted by Ctrl-C prints, by what it left in the output folder.
INTERRUPTED_OLD = f"Interrupted; {OUT} was left as it was.\n"
INTERRUPTED = {
    "old": {"Interrupted.\n", INTERRUPTED_OLD},
    "new": {f"Interrupted; the new site was already in place in {OUT}.\n"},
}


def check_sigint(landing: Landing) -> str:
    """Check what an interrupted build did and said; return the phase it was in."""
    assert landing.outcome != "broken", landing
    if (
        landing.phase == "starting"
        or landing.stderr.startswith(PYTHON_STARTING)
        or BEFORE_FIRST_LINE_RE.match(landing.stderr)
    ):
        # Python itself was still starting: SIGINT ends it before any code of ours runs.
        assert landing.outcome == "old", landing
        assert landing.returncode in (-signal.SIGINT, 1), landing
        return "starting"
    assert "Traceback" not in landing.stderr, landing.stderr
    if landing.phase == "complete":  # the swap may have begun, and then it is finished
        assert landing.outcome in ("old", "new"), landing
    else:
        assert landing.outcome == ("old" if landing.phase in KEEPS_OLD else "new"), landing
    if landing.returncode == 0:  # the build was done; only exiting was left
        assert (landing.outcome, landing.stderr) == ("new", ""), landing
        return landing.phase
    assert landing.returncode == 130, landing
    assert landing.stderr in INTERRUPTED[landing.outcome], landing
    return landing.phase


def test_sigkill_while_building_leaves_the_old_site_whole(site):
    """SIGKILL at random moments of the build, to the whole build or to its main process only."""
    rng = random.Random(20)
    tally = Tally()
    for n in attempts():
        wait = after(rng.uniform(0.0, 0.9 * site.seconds))
        landing = interrupt(site, wait, signal.SIGKILL, whole_group=n % 3 != 2)
        check_kill(landing)
        assert landing.returncode in (-signal.SIGKILL, 0), landing
        tally.add(landing.phase, landing, finish(site))
    record("kill-render", moments="random", **tally.figures())
    assert tally.strays == 0
    assert tally.landed.keys() & {"preparing", "writing", "indexing"}


def _alive(pid: int) -> bool:
    """Tell whether a process still runs (a zombie has ended; only its exit is unreported)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_killing_the_main_process_alone_ends_the_indexer_too(site):
    """An indexer left running would write into the temporary folder after the next build
    removed it, bringing back a folder that no build removes."""
    site.switch_content()
    proc = subprocess.Popen(build_command(), cwd=site.root, start_new_session=True)
    indexer = None
    try:
        while indexer is None and proc.poll() is None:
            indexer = next((c for c in _children(proc.pid) if _is_indexer(c)), None)
        assert indexer is not None, "the build ended before it ran the indexer"
        os.kill(indexer, signal.SIGSTOP)  # it must not simply finish first
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 10
        while _alive(indexer) and time.monotonic() < deadline:
            time.sleep(0.01)
        survived = _alive(indexer)
    finally:
        _signal_group(proc.pid, signal.SIGKILL)
        proc.wait()
    assert not survived
    assert site.outcome() == "old"
    strays = finish(site)
    record(
        "kill-render",
        moments="main process only, while indexing",
        attempts=1,
        indexer_survived=int(survived),
        old=1,
        strays_after_next_build=strays,
    )
    assert strays == 0


# The system calls around the swap, in the order the main process makes them, and what
# the output folder must hold when the build dies as it makes one (at its nth call).
SWAP_CALLS = (
    ("chmod", 1, "temp folder complete", "old"),
    ("renameat2", 1, "exchanging folders", "old"),
    ("rmdir", 1, "old site at the temp name", "new"),
    ("rename", 1, "moving the old site aside", "new"),
    ("rename", 2, "saving the build cache", "new"),
    ("exit_group", 1, "exiting", "new"),
)


def tracer() -> str | None:
    """Return strace if it can stop this system's processes at a chosen system call."""
    strace = shutil.which("strace")
    if strace is None or sys.platform != "linux" or os.uname().machine != "x86_64":
        return None  # the system call names above are those of Linux on x86-64
    probe = subprocess.run(
        [strace, "-qq", "-o", os.devnull, "-e", "trace=none", "true"],
        capture_output=True,
        check=False,
    )
    return strace if probe.returncode == 0 else None


def at_call(strace: str, call: str, nth: int, sig: str) -> tuple[str, ...]:
    """Return a command prefix that sends `sig` to the build as it enters its nth `call`."""
    inject = f"inject={call}:signal={sig}:when={nth}"
    return (strace, "-qq", "-o", os.devnull, "-e", f"trace={call}", "-e", inject)


def test_sigkill_during_the_swap_leaves_one_site_or_the_other(site):
    """SIGKILL at each system call around the swap (under strace), else just after indexing."""
    strace = tracer()
    rng = random.Random(21)
    tally = Tally()
    rounds = range(ROUNDS * len(SWAP_CALLS)) if strace else attempts()
    leftovers = 0
    for n in rounds:
        if strace is not None:
            call, nth, where, expected = SWAP_CALLS[n % len(SWAP_CALLS)]
            landing = interrupt(site, None, 0, prefix=at_call(strace, call, nth, "KILL"))
            assert landing.returncode == -signal.SIGKILL, landing
            assert landing.outcome == expected, (where, landing)
        else:
            delay = rng.choice([0.0, rng.uniform(0.0, 0.004), rng.uniform(0.0, 0.03)])
            landing = interrupt(site, after_indexing(delay), signal.SIGKILL)
            where = landing.phase
        check_kill(landing)
        leftovers += len(list(site.root.glob(f".{OUT}.*")))
        tally.add(where, landing, finish(site))
    record(
        "kill-swap",
        moments="system calls" if strace else "timed",
        leftovers_after_kill=leftovers,
        **tally.figures(),
    )
    assert tally.strays == 0
    assert tally.outcomes["old"] and tally.outcomes["new"]


def test_without_an_atomic_exchange_the_output_is_missing_between_two_renames(site):
    """Where renameat2 cannot exchange folders (some file systems), the swap is two renames.

    A kill between them leaves no output folder until the next build: the one window
    where the old or the new site is not in place.
    """
    strace = tracer()
    if strace is None:
        pytest.skip("needs strace (Linux, x86-64) to stop the build at a system call")
    no_exchange = (strace, "-qq", "-o", os.devnull, "-e", "trace=rename,renameat2")
    no_exchange += ("-e", "inject=renameat2:error=EINVAL")
    kill = ("-e", "inject=rename:signal=KILL:when=2")  # the old site is aside, the new not in
    landing = interrupt(site, None, 0, prefix=(*no_exchange, *kill))
    assert (landing.returncode, landing.outcome) == (-signal.SIGKILL, "broken")
    assert not site.out.exists()
    strays = finish(site)
    landing = interrupt(site, None, 0, prefix=no_exchange)  # uninterrupted: all is well
    assert (landing.returncode, landing.outcome) == (0, "new")
    strays += finish(site)
    record(
        "kill-swap",
        moments="without an atomic exchange, between the two renames",
        attempts=1,
        missing=1,
        new_after_next_build=1,
        strays_after_next_build=strays,
    )
    assert strays == 0


def test_ctrl_c_at_random_moments_stops_the_build_cleanly(site):
    """SIGINT to the whole build, as Ctrl-C sends it, at random moments and near the swap."""
    rng = random.Random(22)
    tally = Tally()
    for n in attempts():
        if n % 2:
            wait = after_indexing(rng.uniform(0.0, 0.03))
        else:
            wait = after(rng.uniform(0.0, site.seconds))
        landing = interrupt(site, wait, signal.SIGINT)
        tally.add(check_sigint(landing), landing, finish(site))
    record("sigint", moments="random", **tally.figures())
    assert tally.strays == 0


def _when_forked(site: Site, after_swap: bool, seen: list[str]) -> Wait:
    """Wait for the build's next child process: the indexer, or after the swap the one that
    deletes the old site; say in `seen` which, and whether the indexer was caught before it
    ran Pagefind (still a copy of the build)."""

    def wait(proc: subprocess.Popen[str]) -> None:
        out_id = site.out.stat().st_ino
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if after_swap and site.out.stat().st_ino == out_id:
                continue
            for child in _children(proc.pid):
                with contextlib.suppress(OSError):
                    program = Path(f"/proc/{child}/cmdline").read_bytes()
                    if after_swap:
                        seen.append("deleter of the old site forked")
                    elif b"pagefind" not in program:
                        seen.append("indexer forked, not yet Pagefind")
                    return

    return wait


def test_ctrl_c_as_a_helper_process_is_forked(site):
    """SIGINT while the indexer, or the deleter of the old site, is being forked: the child
    runs Python code (Python's own, after a fork) in which it must neither raise nor print."""
    tally = Tally()
    for n in range(scaled(2, 10)):
        seen: list[str] = []
        landing = interrupt(site, _when_forked(site, n % 2 == 1, seen), signal.SIGINT)
        check_sigint(landing)
        tally.add(seen[0] if seen else landing.phase, landing, finish(site))
    record("sigint", moments="as a helper process is forked", **tally.figures())
    assert tally.strays == 0


def _workers(proc: subprocess.Popen[str], pool: int) -> int:
    """Wait until the build's `pool`th pool of worker processes runs; return how many it has."""
    seen: set[int] = set()
    pools = 0
    while proc.poll() is None:
        workers = set(_children(proc.pid))
        if len(workers) >= 2 and not workers & seen:
            pools += 1
            seen |= workers
            if pools == pool:
                return len(workers)
        time.sleep(0.001)
    return 0


def test_ctrl_c_while_worker_processes_link_or_render(tmp_path):
    """Ctrl-C reaches the pool's workers too; the build must still stop at once, cleanly."""
    from explainer.core.processes import MIN_ITEMS_PER_PROCESS

    root = lay_out(tmp_path / "project", corpus(2 * MIN_ITEMS_PER_PROCESS)).root
    subprocess.run(build_command("--no-search"), cwd=root, check=True, timeout=300)
    before = snapshot(root / OUT)
    tally = Tally()
    for n in range(scaled(2, 10)):
        stage = ("linking", "rendering")[n % 2]  # the first pool links, the second renders
        proc = subprocess.Popen(
            build_command("--no-cache", "--no-search", "--jobs", "2"),
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            workers = _workers(proc, 1 + n % 2)
            _signal_group(proc.pid, signal.SIGINT)
            _, stderr = proc.communicate(timeout=60)  # a hung pool fails here
        finally:
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait()
        assert workers >= 2, "the build ended before its worker processes were seen"
        outcome = "old" if snapshot(root / OUT) == before else "broken"
        landing = Landing(stage, outcome, proc.returncode, stderr)
        assert (landing.returncode, landing.stderr, outcome) == (130, INTERRUPTED_OLD, "old")
        strays = [name for name in settled_siblings(root / OUT) if name.startswith(f".{OUT}.")]
        tally.add(f"worker processes {stage}", landing, len(strays))
    record("sigint", moments="while worker processes link or render", **tally.figures())
    assert tally.strays == 0


def test_two_builds_at_once_both_finish_and_leave_one_whole_site(site):
    """A second build must not remove the first one's temporary folder as a leftover."""
    outcomes: Counter[str] = Counter()
    strays = 0
    for _ in range(scaled(3, 10)):
        site.switch_content()
        runs = [
            subprocess.Popen(build_command(), cwd=site.root, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        for run in runs:
            _, stderr = run.communicate(timeout=300)
            assert (run.returncode, stderr) == (0, "")
        outcomes[site.outcome()] += 1
        strays += len(site.strays())
    record(
        "concurrent-builds",
        attempts=sum(outcomes.values()),
        builds=2 * sum(outcomes.values()),
        failed=0,
        new=outcomes["new"],
        broken=outcomes["broken"],
        strays_after_builds=strays,
    )
    assert outcomes.keys() == {"new"}
    assert strays == 0


# Ctrl-C during the swap is held until the swap is done: from the exchange on, the new site.
SWAP_INTERRUPTS = (
    ("chmod", 1, "temp folder complete", "old", 130),
    ("renameat2", 1, "exchanging folders", "new", 130),
    ("rmdir", 1, "old site at the temp name", "new", 130),
    ("rename", 1, "moving the old site aside", "new", 130),
    ("rename", 2, "saving the build cache", "new", 130),
    ("exit_group", 1, "exiting", "new", 0),
)


def test_ctrl_c_during_the_swap_is_held_until_it_is_done(site):
    """SIGINT at each system call around the swap, under strace."""
    strace = tracer()
    if strace is None:
        pytest.skip("needs strace (Linux, x86-64) to stop the build at a system call")
    tally = Tally()
    for n in range(ROUNDS * len(SWAP_INTERRUPTS)):
        call, nth, where, expected, code = SWAP_INTERRUPTS[n % len(SWAP_INTERRUPTS)]
        landing = interrupt(site, None, 0, prefix=at_call(strace, call, nth, "INT"))
        assert (landing.outcome, landing.returncode) == (expected, code), (where, landing)
        check_sigint(landing)
        tally.add(where, landing, finish(site))
    record("sigint", moments="system calls", **tally.figures())
    assert tally.strays == 0


# Template mistakes, put on line 13 of templates/article.html, and what the build says
# (the newest story is the first page that fails).
STORY = f"/articles/story-{ARTICLES:04}/"
TEMPLATE_ERRORS = (
    (
        "{{ 1 // 0 }}",
        f"template error while rendering {STORY}: "
        "ZeroDivisionError: integer division or modulo by zero",
    ),
    ("{{ article.title | shout }}", "template syntax error: No filter named 'shout'."),
    (
        "{{ article.no_such_field }}",
        f"template error while rendering {STORY}: "
        "'explainer.content.model.Article object' has no attribute 'no_such_field'",
    ),
    (
        "{% include 'partials/missing.html' %}",
        f"template error while rendering {STORY}: "
        "'partials/missing.html' not found in search path: 'templates'",
    ),
    # A helper of ours called wrongly: whatever it raises is reported at the template line.
    ("{{ url(7) }}", re.compile(rf"template error while rendering {STORY}: \w+Error: .+")),
)
TEMPLATE_LINE = 13


def test_a_template_that_raises_fails_the_build_and_keeps_the_old_site(site):
    template = site.root / "templates" / "article.html"
    good = template.read_text(encoding="utf-8")
    lines = good.splitlines(keepends=True)
    where = f"templates/article.html:{TEMPLATE_LINE}: "
    messages = []
    for mistake, message in TEMPLATE_ERRORS:
        bad = lines.copy()
        bad[TEMPLATE_LINE - 1] = bad[TEMPLATE_LINE - 1].rstrip("\n") + mistake + "\n"
        template.write_text("".join(bad), encoding="utf-8")
        landing = interrupt(site, None, 0)  # to edition 1, whose newest story fails first
        site.switch_content()
        assert landing.returncode == 1, landing
        assert "Traceback" not in landing.stderr
        first, last = landing.stderr.splitlines()
        if isinstance(message, str):
            assert first == where + message
        else:
            assert first.startswith(where) and message.fullmatch(first.removeprefix(where)), first
        assert last == f"Build failed: 1 error; {OUT} was left as it was."
        assert landing.outcome == "old"
        assert [n for n in siblings(site.root / OUT) if n.startswith(f".{OUT}.")] == []
        messages.append(first)
    template.write_text(good, encoding="utf-8")
    site.switch_content()
    strays = finish(site)
    record(
        "template-error",
        cases=len(TEMPLATE_ERRORS),
        exit_status_1=len(messages),
        old=len(messages),
        broken=0,
        messages=messages,
        strays_after_next_build=strays,
    )
    assert strays == 0
