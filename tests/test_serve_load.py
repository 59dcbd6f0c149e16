"""The preview server under load: many connections while it rebuilds, many open pages.

The server and the load client are separate processes talking over loopback, as a
browser and the server would.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import JOHNSON, MAY, ROOT, Project, article
from figures import long_run, record
from test_serve import Events, Server

LOAD_CLIENT = ROOT / "tests" / "load_client.py"
CONNECTIONS = 100

STORY_OLD = article(
    "Theresa May spoke on Tuesday about the budget.",
    title="Budget talks on Tuesday",
    people=["theresa-may"],
)
STORY_NEW = article(
    "Theresa May spoke on Wednesday about the budget, at length.\n\nBoris Johnson replied.",
    title="Budget talks moved to Wednesday",
    people=["theresa-may", "boris-johnson"],
)
# The edited article's own page, pages that list it, and pages that do not change.
PAGES = (
    "/articles/story/",
    "/people/theresa-may/",
    "/people/boris-johnson/",
    "/",
    "/articles/",
    "/articles/other/",
    "/static/style.css",
)


def replace_file(path: Path, text: str) -> None:
    """Save the way editors do: write a new file, then rename it over the old one."""
    spare = path.with_name(f".{path.name}.saving")
    spare.write_text(text, encoding="utf-8")
    os.replace(spare, path)


def fetch(server: Server, paths: tuple[str, ...]) -> dict[str, bytes]:
    bodies = {}
    for path in paths:
        status, body = server.request_bytes(path)
        assert status == 200, path
        bodies[path] = body
    return bodies


def save_and_wait(project: Project, events: Events, version: int, text: str) -> int:
    replace_file(project.root / "content/articles/story.md", text)
    status = events.newer(version)
    assert status["ok"] is True, status
    return int(str(status["version"]))


def test_pages_stay_whole_under_load_while_rebuilding(make_project, tmp_path):
    project = make_project(
        {
            "content/people/theresa-may.md": MAY,
            "content/people/boris-johnson.md": JOHNSON,
            "content/articles/story.md": STORY_OLD,
            "content/articles/other.md": article(
                "Nothing about anyone.", title="Other news", date="2017-10-01"
            ),
        }
    )
    server = Server(project)
    events = server.events()
    try:
        version = int(str(events.newer(-1)["version"]))
        old = fetch(server, PAGES)
        version = save_and_wait(project, events, version, STORY_NEW)
        new = fetch(server, PAGES)
        version = save_and_wait(project, events, version, STORY_OLD)
        assert fetch(server, PAGES) == old, "the same input must give the same pages"
        for changed in ("/articles/story/", "/people/theresa-may/", "/people/boris-johnson/", "/"):
            assert old[changed] != new[changed], changed
        expect = {}
        for path in PAGES:
            old_hash = hashlib.sha256(old[path]).hexdigest()
            new_hash = hashlib.sha256(new[path]).hexdigest()
            expect[path] = (
                {old_hash: "unchanged"}
                if old_hash == new_hash
                else {old_hash: "old", new_hash: "new"}
            )
        expect_file = tmp_path / "expect.json"
        expect_file.write_text(json.dumps(expect), encoding="utf-8")

        seconds = 20.0 if long_run() else 3.5
        load = subprocess.Popen(
            [
                sys.executable,
                str(LOAD_CLIENT),
                "get",
                "--port",
                str(server.port),
                "--connections",
                str(CONNECTIONS),
                "--seconds",
                str(seconds),
                "--expect",
                str(expect_file),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(0.3)  # let every connection open before the first edit
        rebuilds = 0
        texts = (STORY_NEW, STORY_OLD)
        while load.poll() is None:
            version = save_and_wait(project, events, version, texts[rebuilds % 2])
            if load.poll() is None:
                rebuilds += 1
        out, err = load.communicate(timeout=60)
    finally:
        events.close()
        done = server.stop()
    assert load.returncode == 0, err
    result = json.loads(out)
    versions = result["versions"]
    record(
        "serve-load",
        connections=CONNECTIONS,
        seconds=result["seconds"],
        rebuilds=rebuilds,
        requests=result["requests"],
        requests_per_second=result["requests_per_second"],
        failures=result["failures"],
        whole_old=versions.get("old", 0),
        whole_new=versions.get("new", 0),
        unchanged=versions.get("unchanged", 0),
        mixed=versions.get("mixed", 0),
        p50_ms=result["p50_ms"],
        p99_ms=result["p99_ms"],
        max_ms=result["max_ms"],
    )
    assert result["failures"] == 0, json.dumps(result)
    assert versions.get("mixed", 0) == 0, result
    assert versions.get("old", 0) > 0 and versions.get("new", 0) > 0, result
    assert rebuilds >= 3, (rebuilds, result)
    assert result["connections_opened"] == CONNECTIONS, result
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
