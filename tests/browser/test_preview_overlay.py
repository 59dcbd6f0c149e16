"""The preview's error overlay and warning banner, read in a real browser: contrast ≥ 4.5:1."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import MAY, ROOT, article, lay_out

# Every element inside `root` with text of its own: its text colour and the colour it is
# drawn on, found by laying each background from the page's canvas up to the element
# over the one below it (so a translucent panel counts with what shows through it).
CONTRAST = """(selector) => {
  const root = document.querySelector(selector);
  if (!root) return null;
  function rgba(text) {
    const m = /^rgba?\\(([^)]*)\\)$/.exec(text.trim());
    if (!m) throw new Error("unexpected colour " + text);
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function over(top, below) {
    const a = top[3] + below[3] * (1 - top[3]);
    const mix = (i) => (top[i] * top[3] + below[i] * below[3] * (1 - top[3])) / a;
    return [mix(0), mix(1), mix(2), a];
  }
  function luminance(c) {
    const lin = c.slice(0, 3).map((v) => {
      v = v / 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  }
  function background(el) {
    const chain = [];
    for (let node = el; node; node = node.parentElement) chain.unshift(node);
    const canvas = getComputedStyle(document.documentElement).colorScheme.includes("dark")
      && matchMedia("(prefers-color-scheme: dark)").matches ? [0, 0, 0, 1] : [255, 255, 255, 1];
    return chain.reduce((below, node) => over(rgba(getComputedStyle(node).backgroundColor), below), canvas);
  }
  const found = [];
  for (const el of [root, ...root.querySelectorAll("*")]) {
    const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.data).join("").trim();
    if (!own || !el.checkVisibility()) continue;
    const bg = background(el);
    const fg = over(rgba(getComputedStyle(el).color), bg);
    const [light, dark] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    found.push({
      tag: el.tagName.toLowerCase(),
      text: own.slice(0, 40),
      color: getComputedStyle(el).color,
      background: "rgb(" + bg.slice(0, 3).map(Math.round).join(", ") + ")",
      ratio: (light + 0.05) / (dark + 0.05),
    });
  }
  return found;
}"""

# What the site's stylesheet did to the preview's text before the preview set its own
# colours: its `pre` panel drawn under the overlay's white text and the banner's brown.
SITE_PRE_PANEL = "pre { background: var(--panel) !important; }"

BROKEN = "---\ntitle: [a headline never closed\ndate: 2017-11-15\n---\nText.\n"


class Preview:
    """`build.py serve` on a free port of 127.0.0.1, in its own process group."""

    def __init__(self, root: Path) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--port", "0"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if match:
                self.url = f"http://127.0.0.1:{match.group(1)}"
                return
            if not line and self.proc.poll() is not None:
                break
        self.kill()
        pytest.fail("the preview server did not start", pytrace=False)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.communicate(timeout=20)


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[Path, Preview]]:
    # Dominic Grieve is in no article: the build warns, so the banner shows.
    project = lay_out(
        tmp_path / "project",
        {
            "content/people/theresa-may.md": MAY,
            "content/people/dominic-grieve.md": (
                "---\nname: Dominic Grieve\nsummary: Chair of the committee.\n---\n"
            ),
            "content/articles/story.md": article(
                "Theresa May spoke on Tuesday.", people=["theresa-may"]
            ),
        },
    )
    server = Preview(project.root)
    try:
        yield project.root, server
    finally:
        server.kill()


def low_contrast(found: list[dict[str, Any]] | None, what: str) -> list[str]:
    assert found, f"{what}: no text found"
    return [
        f"{what} <{f['tag']}> {f['text']!r}: {f['color']} on {f['background']} is "
        f"{f['ratio']:.2f}:1"
        for f in found
        if f["ratio"] < 4.5
    ]


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_overlay_and_banner_text_has_contrast(browser: Any, preview: Any, scheme: str) -> None:
    root, server = preview
    context = browser.new_context(base_url=server.url, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto("/articles/story/")
        page.locator(".explainer-banner").wait_for(state="visible", timeout=10_000)
        assert "no published article mentions Dominic Grieve" in page.inner_text(
            ".explainer-banner"
        )
        assert low_contrast(page.evaluate(CONTRAST, ".explainer-banner"), "banner") == []

        (root / "content/articles/story.md").write_text(BROKEN, encoding="utf-8")
        page.locator(".explainer-overlay").wait_for(state="visible", timeout=15_000)
        overlay = page.evaluate(CONTRAST, ".explainer-overlay")
        assert {f["tag"] for f in overlay} == {"h2", "p", "pre"}
        assert "content/articles/story.md:2: YAML syntax error" in page.inner_text(
            ".explainer-overlay pre"
        )
        assert low_contrast(overlay, "overlay") == []

        # The measurement catches the fault it is here for: with the site's `pre` panel
        # under the text again, the overlay (light) or the banner (dark) fails.
        page.evaluate(  # through the CSSOM: the page's Content-Security-Policy bars <style>
            "(rule) => document.styleSheets[0].insertRule(rule, document.styleSheets[0].cssRules.length)",
            SITE_PRE_PANEL,
        )
        failing = {
            f["tag"]
            for where in (".explainer-overlay", ".explainer-banner")
            for f in page.evaluate(CONTRAST, where) or []
            if f["ratio"] < 4.5
        }
        assert failing == {"pre"}
    finally:
        context.close()
