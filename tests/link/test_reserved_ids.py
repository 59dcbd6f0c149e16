"""RESERVED_IDS and RESERVED_ID_PREFIXES match the ids the templates, scripts and pages use.

Article bodies give their headings other ids than these, so no id is used twice on a
page; the lists are kept by hand in explainer/link/markup.py, and these tests read the
templates, static/*.js and the built example site to keep them true.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, parse_html

from explainer.link.convert import Converter
from explainer.link.markup import RESERVED_ID_PREFIXES, RESERVED_IDS, ConvertContext

TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
ID_ATTRIBUTE = re.compile(r"""(?<![\w-])id\s*=\s*(["'])(.*?)\1""", re.DOTALL)
JINJA = re.compile(r"\{[{%#]")
# `element.id = "x"` or `setAttribute("id", "x")` in a script
SCRIPT_ID = re.compile(r"""(?:\.id\s*=\s*|setAttribute\(\s*["']id["']\s*,\s*)["']([^"']+)["']""")
WHERE = "RESERVED_IDS in explainer/link/markup.py"


def reserved(value: str) -> bool:
    return value in RESERVED_IDS or value.startswith(RESERVED_ID_PREFIXES)


def template_ids() -> list[tuple[str, str]]:
    """Return (template, id attribute as written) for every id in templates/, Jinja included."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in ID_ATTRIBUTE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append((f"{path.relative_to(ROOT).as_posix()}:{line}", match.group(2)))
    return found


def script_ids() -> list[tuple[str, str]]:
    """Return (script, id) for every id a script in static/ gives an element it makes."""
    found = []
    for path in sorted(STATIC.rglob("*.js")):
        for value in SCRIPT_ID.findall(path.read_text(encoding="utf-8")):
            found.append((path.relative_to(ROOT).as_posix(), value))
    return found


def page_ids(site: Path) -> list[tuple[str, str]]:
    """Return (page, id) for every id on the example site outside Markdown bodies (.prose)."""
    found = []
    for path in sorted(site.rglob("*.html")):
        for el in parse_html(path.read_text(encoding="utf-8")).walk():
            value = el.get("id")
            if value is not None and not el.inside(cls="prose"):
                found.append((path.relative_to(site).as_posix(), value))
    return found


def markdown_ids() -> set[str]:
    """Return the ids Markdown itself writes into a body (its footnotes)."""
    body = "A claim.[^1]\n\n[^1]: The source.\n"
    html = Converter().convert(body, ConvertContext(resolve=lambda slug: None))
    return {el.get("id") or "" for el in parse_html(html).walk() if el.get("id")}


def literal_start(value: str) -> str:
    """Return the part of an id written before its first Jinja expression."""
    found = JINJA.search(value)
    return value if found is None else value[: found.start()]


def test_every_id_a_template_writes_is_reserved():
    problems = []
    for where, value in template_ids():
        start = literal_start(value)
        if start == value and value not in RESERVED_IDS:
            problems.append(f"{where}: id {value!r} is missing from {WHERE}")
        elif start != value and not start.startswith(RESERVED_ID_PREFIXES):
            problems.append(
                f"{where}: id {value!r} does not start with one of RESERVED_ID_PREFIXES "
                f"{RESERVED_ID_PREFIXES} in explainer/link/markup.py"
            )
    assert not problems, "\n".join(problems)


def test_every_id_a_script_gives_is_reserved():
    problems = [
        f"{where}: id {value!r} is missing from {WHERE}"
        for where, value in script_ids()
        if not reserved(value)
    ]
    assert not problems, "\n".join(problems)


def test_every_id_on_the_example_pages_is_reserved(example_site):
    problems = sorted(
        {
            f"{page}: id {value!r} (outside the article body) is missing from {WHERE}"
            for page, value in page_ids(example_site)
            if not reserved(value)
        }
    )
    assert not problems, "\n".join(problems)


def test_every_reserved_id_is_used(example_site):
    used = {value for _, value in template_ids() + script_ids() + page_ids(example_site)}
    stale = sorted(RESERVED_IDS - used)
    assert not stale, (
        f"{WHERE} lists {stale}, but no template, script in static/ or page of the example "
        "site uses them: remove them, or they keep article headings from taking those ids"
    )


@pytest.mark.parametrize("prefix", RESERVED_ID_PREFIXES)
def test_every_reserved_prefix_is_used(prefix, example_site):
    starts = {literal_start(value) for _, value in template_ids()} | markdown_ids()
    starts |= {value for _, value in page_ids(example_site)}  # the charts' ids, made in code
    assert any(start.startswith(prefix) for start in starts), (
        f"RESERVED_ID_PREFIXES in explainer/link/markup.py has {prefix!r}, but no template id, "
        "no id on the example site's pages and no id Markdown writes into a body (footnotes) "
        "starts with it"
    )
