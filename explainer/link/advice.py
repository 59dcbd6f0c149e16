"""Warnings an author wants: things that build, but are probably not what was meant."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from ..content.model import Entity
from ..core.errors import Collector
from .linking import TITLES, LinkedSite, bare_surname_line, build_name_index, surname_owners
from .names import NameIndex, normalise_name

TITLE_RE = re.compile(rf"^(?:{'|'.join(TITLES)})\s+")


@cache
def common_words() -> frozenset[str]:
    """Return the shipped list of everyday words that make risky aliases."""
    text = resources.files("explainer.link").joinpath("common_words.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def advise(linked: LinkedSite, collector: Collector, strict: bool = False) -> None:
    """Add the author warnings for the whole site to collector.

    A strict build also asks for a source for every office.
    """
    site = linked.site
    if strict:
        advise_sources(linked, collector)
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
    surnames = surname_owners(site.people)
    index: list[NameIndex] = []  # built when first needed: most sites never need it
    for item in linked.articles:
        article = item.article
        if article.draft:  # published only because drafts are included: a reminder
            for name, line in article.placeholders:
                collector.warn(
                    article.src_path,
                    line,
                    f"{name}: this is still the example text that build.py new wrote; "
                    "replace it before you remove draft: true",
                )
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
        for i, quote in enumerate(article.quotes):
            if quote.by in people and quote.by not in mentioned and quote.by not in article.people:
                collector.warn(
                    article.src_path,
                    quote.by_line,
                    f"quotes[{i}].by: the quote is given to {people[quote.by].name}, whom the "
                    "story never names (by name, alias or role on this date) nor lists in "
                    "people; check the slug, or say in the text who is speaking",
                )
        for found in item.bare_surnames:
            owners = surnames.get(TITLE_RE.sub("", normalise_name(found)), [])
            if not owners:
                continue
            if not index:
                index.append(
                    build_name_index(site.people, site.topics, site.config.lower_case_role_aliases)
                )
            person = owners[0]
            if len(owners) > 1:
                who = ", ".join(p.name for p in owners)
                hint = f"it could mean {who}; add it to the aliases of the one meant"
            else:
                hint = f"add it to the aliases in {person.src_path.name} if it means them"
            collector.warn(
                article.src_path,
                bare_surname_line(article.body, article.body_line, found, index[0]),
                f"'{found}' looks like {person.name}'s surname on its own, which "
                f"is not one of their aliases, so it is not linked; {hint}",
            )


def advise_sources(linked: LinkedSite, collector: Collector) -> None:
    """Warn about every office that cites no source for its dates."""
    for person in linked.site.people:
        for i in person.unsourced_roles():
            role = person.roles[i]
            collector.warn(
                person.src_path,
                person.role_lines[i] if i < len(person.role_lines) else 1,
                f"roles[{i}]: '{role.title}' cites no source; add source: with the address "
                "of a public page that confirms its dates",
            )
