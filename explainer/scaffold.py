"""Start a new article, person or topic file that builds straight away (`build.py new`)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .content.load import (
    SLUG_RE,
    KeyPath,
    RawDocument,
    iter_content_files,
    meant_slug,
    read_document,
)
from .content.parse import PLACEHOLDER_SUMMARIES, TOPIC_KINDS
from .core.errors import Collector, ContentError, display_path

COLLECTION_OF_KIND = {"article": "articles", "person": "people", "topic": "topics"}
MAX_SLUG_LENGTH = 80

# Letters that NFKD leaves whole, so dropping non-ASCII would lose them entirely.
TRANSLITERATIONS = str.maketrans(
    {"ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ı": "i", "œ": "oe"}
)
# Apostrophes join a word ("Søren's" -> "sorens", "O'Neill" -> "oneill").
APOSTROPHES_RE = re.compile("['\u2019\u02bc\u2018`´]")

OPTIONAL_HEADER = """\
# Optional fields: to use one, delete the "# " at the start of its lines and
# replace the example. Lines that start with # are notes and are ignored.
"""

ARTICLE_OPTIONAL = """\
# updated: {today}                   # the day it was last changed; not before date
# people: [theresa-may, jeremy-corbyn]  # slugs of the people the story is about
# topics: [nato]                        # slugs of the topics the story is about
# source:                               # where it was first published; each line optional
#   name: The Example Times
#   url: https://example.org/news/story
#   author: Jane Smith
# related_headlines:                    # other stories to list beside it; url is optional
#   - title: "Army of fake Russian Twitter accounts 'meddled in Brexit vote'"
#     url: https://example.org/news/fake-accounts
# quotes:                               # words quoted in the text below; they must match it
#   - by: jeremy-corbyn                 # the speaker's slug
#     text: "we need to see more evidence … of Russian interference"  # … for words left out
#     via: his spokesman
#     context: asked whether Labour sees Vladimir Putin as a threat
# claims:                               # claims the story reports
#   - claim: Fake Twitter accounts based in Russia tried to influence the referendum.
#     status: unverified                # asserted, disputed, denied, unverified, supported, false
#     by: a new study                   # a person's or topic's slug, or any text
#     evidence:
#       - label: The study, published 15 November 2017
#         url: https://example.org/study
#     note: The article does not name the researchers.
# image:                                # a picture in static/, shown at the top and when shared
#   src: images/story.jpg               # its path inside static/
#   alt: What the picture shows         # for readers who cannot see it; required
#   credit: Who made it                 # required
#   licence: CC BY 4.0                  # optional, and so is licence_url, its terms' address
#   licence_url: https://creativecommons.org/licenses/by/4.0/
# corrections:                          # errors put right since publication, newest shown first
#   - date: {today}
#     text: An earlier version gave the wrong date for the vote.
# extra:                                # anything else, for your own templates
#   section: Politics
"""

PERSON_OPTIONAL = """\
# aliases: [Mrs May]                    # other names stories use for them
# honorific: Mrs                        # Mr, Mrs, Ms, Miss, Mx, Dr or Prof: adds "Mrs May"
# surname: May                          # only if not the last word of name: "Duncan Smith"
# party: Conservative                   # a party's name, or a list of memberships over time
# country: United Kingdom               # the country they work in
# born: 1956-10-01                      # date of birth, year-month-day
# died: 2020-01-31                      # date of death
# roles:                                # offices held; leave out "to" while still held
#   - title: Prime Minister of the United Kingdom
#     from: 2016-07-13
#     to: 2019-07-24
#     aliases: [the Prime Minister, the PM]  # mean them only while they hold it
#     source: https://www.gov.uk/government/history/past-prime-ministers/theresa-may
# links:                                # label: web address
#   Wikipedia: https://en.wikipedia.org/wiki/Theresa_May
# image:                                # a portrait in static/; without one, initials
#   src: images/theresa-may.jpg         # its path inside static/
#   alt: What the picture shows         # for readers who cannot see it; required
#   credit: Who made it                 # required
#   licence: CC BY 4.0                  # optional, and so is licence_url, its terms' address
#   licence_url: https://creativecommons.org/licenses/by/4.0/
# extra:                                # anything else, for your own templates
#   wikidata: Q264766
"""

TOPIC_OPTIONAL = """\
# aliases: [NATO, Nato]                 # other names stories use for it
# date: 2016-06-23                      # for events: the day it happened (shown on the timeline)
# links:                                # label: web address
#   Official site: https://www.nato.int/
# extra:                                # anything else, for your own templates
#   founded: 1949
"""

BODY_HINT = """\
#
# The {text} goes below the closing --- line, in Markdown: a blank line between
# paragraphs, ## before a subheading, *italic*, **bold**, [a link](https://example.org/).
# Names and aliases of people and topics link themselves on their first mention;
# [[theresa-may]] or [[theresa-may|the former Prime Minister]] links by hand.
"""
BODY_TEXT = {"article": "story", "person": "biography", "topic": "background text"}


class ScaffoldError(Exception):
    """A new page could not be created; the message says why and what to do."""


def slug_for(text: str) -> str:
    """Return a slug for text, transliterated to lowercase ASCII words joined by hyphens."""
    lowered = APOSTROPHES_RE.sub("", text.lower()).translate(TRANSLITERATIONS)
    ascii_text = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
    slug = "-".join(re.findall(r"[a-z0-9]+", ascii_text))
    if len(slug) > MAX_SLUG_LENGTH:
        cut = slug[: MAX_SLUG_LENGTH + 1].rfind("-")
        slug = slug[: cut if cut > 0 else MAX_SLUG_LENGTH].strip("-")
    return slug


def yaml_text(text: str) -> str:
    """Return text as a one-line YAML value, quoted only when plain text would change it."""
    try:
        plain = yaml.safe_load(f"key: {text}")
    except yaml.YAMLError:
        plain = None
    if plain == {"key": text} and not text.startswith(("'", '"')):
        return text
    dumped: str = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=1_000_000)
    return dumped.rstrip("\n")


def create_page(kind: str, title: str, content_dir: Path, today: date | None = None) -> Path:
    """Create content/<collection>/<slug>.md for a new page and return its path."""
    collection = COLLECTION_OF_KIND.get(kind)
    if collection is None:
        raise ScaffoldError(f"unknown kind '{kind}'; choose one of {', '.join(COLLECTION_OF_KIND)}")
    field = "title" if kind == "article" else "name"
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError(
            f'give a {field} in quotes, e.g. python build.py new {kind} "{_example(kind)}"'
        )
    slug = slug_for(title)
    if not SLUG_RE.match(slug):
        raise ScaffoldError(
            f"cannot make a file name from '{title}': it has no letters or digits that can be "
            f"written in plain a-z; give it in Latin letters, e.g. "
            f'python build.py new {kind} "{_example(kind)}", and change the {field} '
            "inside the file afterwards"
        )
    path = content_dir / collection / f"{slug}.md"
    if path.exists():
        raise ScaffoldError(
            f"{display_path(path)} already exists; open it to edit it, or choose another {field}"
        )
    taken = _files_with_slug(content_dir, slug)
    if taken:
        raise ScaffoldError(
            f"slug '{slug}' is already used by {display_path(taken[0])}; slugs must be unique "
            f"across articles, people and topics, so choose another {field} or rename that file"
        )
    unread = _files_meaning_slug(content_dir, slug)
    if unread:
        raise ScaffoldError(
            f"{display_path(unread[0])} is already this page, under a name the build does not "
            f"read; rename it to {slug}.md (in content/{collection}/) instead of starting "
            "another"
        )
    text = _page_text(kind, title, today or date.today())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as out:
            out.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{display_path(path)} already exists; open it to edit it") from None
    return path


def _example(kind: str) -> str:
    return {"article": "Corbyn asks for more evidence", "person": "Theresa May"}.get(kind, "NATO")


def _files_with_slug(content_dir: Path, slug: str) -> list[Path]:
    """Return the content files, in any collection or sub-folder, named <slug>.md."""
    found: list[Path] = []
    for collection in COLLECTION_OF_KIND.values():
        folder = content_dir / collection
        if not folder.is_dir():
            continue
        for candidate in sorted(folder.rglob(f"{slug}.md")):
            # The loader skips hidden folders, so a file in one does not claim the slug.
            hidden = any(part.startswith(".") for part in candidate.relative_to(folder).parts)
            if candidate.is_file() and not hidden:
                found.append(candidate)
    return found


def _files_meaning_slug(content_dir: Path, slug: str) -> list[Path]:
    """Return the files the build skips for their names (Slug.MD, slug.txt) meant as slug."""
    ignored: dict[str, tuple[str, Path]] = {}
    for _, path in iter_content_files(content_dir, Collector(), ignored):
        if not SLUG_RE.match(path.stem):
            ignored.setdefault(meant_slug(path), ("", path))
    return [ignored[slug][1]] if slug in ignored else []


def name_clashes(path: Path, content_dir: Path) -> list[str]:
    """Warn, for a person or topic just made, of each of its names another page has."""
    collection = path.parent.name
    if collection not in ("people", "topics"):
        return []
    try:
        mine = _names_of(read_document(path, collection))
    except (ContentError, OSError):
        return []
    warnings = []
    for other_collection, other in iter_content_files(content_dir, Collector()):
        if other_collection == "articles" or other.resolve() == path.resolve():
            continue
        try:
            doc = read_document(other, other_collection)
        except (ContentError, OSError):
            continue  # the build reports it
        owner = doc.meta.get("name")
        owner = owner if isinstance(owner, str) else other.stem
        for key, (_, what, line) in _names_of(doc).items():
            if key in mine:
                warnings.append(
                    f"{display_path(path)}:{mine[key][2]}: warning: '{mine[key][0]}' is "
                    f"already {what} of {owner} ({display_path(other)}:{line}); two pages "
                    "with one name make every mention of it ambiguous. If they are the same, "
                    "delete this file and edit that one; if not, tell them apart in the name "
                    "or aliases"
                )
    return warnings


def _names_of(doc: RawDocument) -> dict[str, tuple[str, str, int]]:
    """Map each name and alias a file gives, case and spacing aside, to (it, what, line)."""
    found: dict[str, tuple[str, str, int]] = {}

    def add(text: Any, what: str, path: KeyPath) -> None:
        if isinstance(text, str) and text.strip():
            key = " ".join(text.replace("\u2019", "'").split()).casefold()
            found.setdefault(key, (text.strip(), what, doc.line_of(path)))

    add(doc.meta.get("name"), "the name", ("name",))
    aliases = doc.meta.get("aliases")
    for i, alias in enumerate(aliases if isinstance(aliases, list) else []):
        add(alias, "an alias", ("aliases", i))
    roles = doc.meta.get("roles")
    for i, role in enumerate(roles if isinstance(roles, list) else []):
        role_aliases = role.get("aliases") if isinstance(role, dict) else None
        for j, alias in enumerate(role_aliases if isinstance(role_aliases, list) else []):
            add(alias, "a role alias", ("roles", i, "aliases", j))
    return found


def _page_text(kind: str, title: str, today: date) -> str:
    """Return the whole file: required fields, optional ones as comments, a body note."""
    value = yaml_text(title)
    summary = f"summary: {yaml_text(PLACEHOLDER_SUMMARIES[kind])}"
    if kind == "article":
        required = (
            f"title: {value}\n"
            f"date: {today.isoformat()}                      # the day it is published: set it then\n"
            f"{summary}\n"
            "draft: true                           # delete this line to publish it\n"
        )
        optional = ARTICLE_OPTIONAL.format(today=today.isoformat())
    elif kind == "person":
        required = f"name: {value}\n{summary}\n"
        optional = PERSON_OPTIONAL
    else:
        required = (
            f"name: {value}\n"
            f"{summary}\n"
            f"kind: organisation                      # one of: {', '.join(TOPIC_KINDS)}\n"
        )
        optional = TOPIC_OPTIONAL
    hint = BODY_HINT.format(text=BODY_TEXT[kind])
    return f"---\n{required}{OPTIONAL_HEADER}{optional}{hint}---\n\n"
