"""Warnings an author wants: things that build, but are probably not what was meant."""

from __future__ import annotations

import html
import re
from functools import cache
from importlib import resources

from .errors import Collector
from .link import LinkedSite, build_name_index
from .markup import MONTHS, NameIndex, normalise_name
from .model import Entity, Person

TAG_RE = re.compile(r"<[^>]+>")
TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr", "Sir", "Dame", "Lord", "Lady")


@cache
def common_words() -> frozenset[str]:
    """Return the shipped list of everyday words that make risky aliases."""
    text = resources.files("explainer").joinpath("common_words.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _line_in(body: str, first_line: int, word: str) -> int:
    match = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", body)
    return first_line + (body[: match.start()].count("\n") if match else 0)


def advise(linked: LinkedSite, collector: Collector) -> None:
    """Add the author warnings for the whole site to collector."""
    site = linked.site
    people = {p.slug: p for p in site.people}
    words = common_words()
    entities: tuple[Entity, ...] = (*site.people, *site.topics)
    for entity in entities:
        for i, alias in enumerate(entity.aliases):
            if alias.lower() in words:
                line = entity.alias_lines[i] if i < len(entity.alias_lines) else 1
                collector.warn(
                    entity.src_path,
                    line,
                    f"aliases[{i}]: '{alias}' is also an everyday word; at the start of a "
                    f"sentence it will be linked to {entity.name}. Prefer a longer alias",
                )
    for person in site.people:
        if person.slug not in linked.backlinks:
            collector.warn(
                person.src_path,
                1,
                f"no published article mentions {person.name} or lists them in people yet",
            )
    surnames = _surnames(site.people)
    index = build_name_index(site.people, site.topics)
    pattern = (
        re.compile(
            r"(?<![\w'’])(?:(?:"
            + "|".join(TITLES)
            + r")\s+)?("
            + "|".join(re.escape(s) for s in sorted(surnames, key=lambda s: (-len(s), s)))
            + r")(?![\w])"
        )
        if surnames
        else None
    )
    for item in linked.articles:
        article = item.article
        mentioned = set(item.mentions)
        listed_people = [s for s in article.people if s in people]
        if not listed_people and not any(s in people for s in mentioned):
            collector.warn(
                article.src_path,
                1,
                "this article lists no people and names none that the site knows; "
                "add people: [slug, ...] or a profile for whoever it is about",
            )
        for i, slug in enumerate(article.people):
            if slug in people and slug not in mentioned:
                line = article.people_lines[i] if i < len(article.people_lines) else 1
                collector.warn(
                    article.src_path,
                    line,
                    f"people[{i}]: {people[slug].name} is listed but the text never names "
                    "them (by name, alias or role on this date); check the spelling, or add "
                    "the form the article uses to their aliases",
                )
        if pattern is None:
            continue
        text = html.unescape(TAG_RE.sub(" ", item.body_html))
        text = _blank_known_names(text, index)
        seen: set[str] = set()
        for match in pattern.finditer(text):
            surname = match.group(1)
            if surname in seen:
                continue
            seen.add(surname)
            owners = surnames[surname]
            person = owners[0]
            if len(owners) > 1:
                who = ", ".join(p.name for p in owners)
                hint = f"it could mean {who}; add it to the aliases of the one meant"
            else:
                hint = f"add it to the aliases in {person.src_path.name} if it means them"
            collector.warn(
                article.src_path,
                _line_in(article.body, article.body_line, match.group(0)),
                f"'{match.group(0)}' looks like {person.name}'s surname on its own, which "
                f"is not one of their aliases, so it is not linked; {hint}",
            )


def _surnames(people: tuple[Person, ...]) -> dict[str, list[Person]]:
    """Map each person's last name to its owners, when it is not a name in its own right."""
    known = {
        normalise_name(n)
        for p in people
        for n in (*p.names, *(a for r in p.roles for a in r.aliases))
    }
    found: dict[str, list[Person]] = {}
    for person in people:
        parts = person.name.split()
        if len(parts) < 2:
            continue
        surname = parts[-1]
        if (
            len(surname) < 3
            or not surname[0].isupper()
            or surname.lower() in MONTHS
            or normalise_name(surname) in known
        ):
            continue
        found.setdefault(surname, []).append(person)
    return found


def _blank_known_names(text: str, names: NameIndex) -> str:
    """Blank out every full name and alias, so only bare surnames remain to be found."""
    if names.pattern is None:
        return text
    return names.pattern.sub(lambda m: " " * len(m.group(0)), text)
