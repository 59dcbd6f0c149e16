"""Choose, from the corpus itself, what the alias-rename and title-change scenarios change.

A mention is counted the way explainer resolves one, closely enough to choose: an
article names a person when it lists them in `people:`, links them with `[[slug]]`,
uses their full name, uses one of their aliases ("Ms Hussain") while listing them or
while the alias has one owner, or uses a role alias ("the Minister for Housing") on a
date when they held that role. Names and aliases match with a capital or small first
letter and any run of spaces, as whole words, the longest name first.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

REF_RE = re.compile(r"\[\[([a-z0-9]+(?:-[a-z0-9]+)*)(?:\|[^\]\n]+)?\]\]")
TITLES = ("Mr", "Ms", "Mrs", "Miss", "Mx", "Dr")
Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Role:
    title: str
    start: dt.date | None
    end: dt.date | None
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Person:
    slug: str
    path: Path
    name: str
    aliases: tuple[str, ...]
    roles: tuple[Role, ...]


@dataclass(frozen=True, slots=True)
class Story:
    slug: str
    date: dt.date | None
    people: tuple[str, ...]
    body: str


@dataclass(frozen=True, slots=True)
class AliasPick:
    """The alias that the alias-rename scenario renames, and how widely it is used."""

    person: str
    path: str  # relative to the corpus
    kind: str  # "alias" or "role alias"
    old: str
    new: str
    articles: int  # articles in which this alias names this person
    text_articles: int  # articles whose body holds the alias text at all (any owner)
    share: float  # articles / all articles
    wanted_share: float
    total_articles: int


@dataclass(frozen=True, slots=True)
class TitlePick:
    """The person whose role title the title-change scenario changes."""

    person: str
    path: str
    name: str
    role: int
    old: str
    new: str
    articles: int  # articles that name the person
    articles_in_role: int  # of those, dated while the role was held (their cards show it)
    wanted: int
    total_articles: int


def _front(text: str) -> tuple[dict[str, Any], str]:
    _, front, body = text.split("---\n", 2)
    data = yaml.load(front, Loader=Loader) or {}
    assert isinstance(data, dict)
    return data, body


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def read_people(corpus: Path) -> dict[str, Person]:
    """Read every person's names, aliases and roles."""
    people = {}
    for path in sorted((corpus / "people").glob("*.md")):
        data, _ = _front(path.read_text(encoding="utf-8"))
        roles = tuple(
            Role(
                title=str(r.get("title", "")),
                start=_date(r.get("from")),
                end=_date(r.get("to")),
                aliases=tuple(str(a) for a in r.get("aliases") or ()),
            )
            for r in data.get("roles") or ()
        )
        people[path.stem] = Person(
            slug=path.stem,
            path=path,
            name=str(data.get("name", path.stem)),
            aliases=tuple(str(a) for a in data.get("aliases") or ()),
            roles=roles,
        )
    return people


def read_stories(corpus: Path) -> list[Story]:
    """Read every article's date, people and body."""
    stories = []
    for path in sorted((corpus / "articles").glob("*.md")):
        data, body = _front(path.read_text(encoding="utf-8"))
        stories.append(
            Story(
                slug=path.stem,
                date=_date(data.get("date")),
                people=tuple(str(p) for p in data.get("people") or ()),
                body=body,
            )
        )
    return stories


def _atoms(text: str) -> list[str]:
    """Regex pieces of a name: either case for its first letter, any run of spaces."""
    out = []
    for i, ch in enumerate(text):
        if ch == " ":
            out.append(r"\s+")
        elif i == 0 and ch.lower() != ch.upper():
            out.append(f"[{re.escape(ch.lower())}{re.escape(ch.upper())}]")
        else:
            out.append(re.escape(ch))
    return out


def _trie(node: dict[str, Any]) -> str:
    branches = [atom + _trie(child) for atom, child in sorted(node.items()) if atom]
    if not branches:
        return ""
    joined = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{joined})?" if "" in node else joined


def names_pattern(texts: list[str]) -> re.Pattern[str]:
    """One regex for many names, as a trie so it stays fast; longer names win."""
    root: dict[str, Any] = {}
    for text in texts:
        node = root
        for atom in _atoms(text):
            node = node.setdefault(atom, {})
        node[""] = {}
    return re.compile(r"(?<![\w'’])" + _trie(root) + r"(?![\w])")


class Resolver:
    """Find which people, and which of their names, each article uses."""

    def __init__(self, people: dict[str, Person]) -> None:
        self.people = people
        names: dict[str, list[tuple[str, str]]] = defaultdict(list)  # text -> [(slug, kind)]
        for person in people.values():
            names[person.name].append((person.slug, "name"))
            for alias in person.aliases:
                names[alias].append((person.slug, "alias"))
        self.names = dict(names)
        self.name_re = names_pattern(list(self.names)) if self.names else None
        self.by_key = {self._key(t): t for t in self.names}
        roles: dict[str, list[tuple[str, Role]]] = defaultdict(list)
        for person in people.values():
            for role in person.roles:
                for alias in role.aliases:
                    roles[alias].append((person.slug, role))
        self.roles = dict(roles)
        self.role_res = {alias: names_pattern([alias]) for alias in self.roles}

    @staticmethod
    def _key(text: str) -> str:
        return re.sub(r"\s+", " ", text[:1].lower() + text[1:])

    def uses(self, story: Story) -> tuple[set[tuple[str, str, str]], set[str]]:
        """Return (person slug, kind, text) for every way the article names someone, and
        every name or alias text in its body, whoever it names (if anyone)."""
        found: set[tuple[str, str, str]] = set()
        texts: set[str] = set()
        listed = set(story.people)
        for slug in story.people:
            if slug in self.people:
                found.add((slug, "listed", slug))
        for match in REF_RE.finditer(story.body):
            if match.group(1) in self.people:
                found.add((match.group(1), "ref", match.group(1)))
        if self.name_re is not None:
            for match in self.name_re.finditer(story.body):
                text = self.by_key.get(self._key(match.group(0)))
                if text is None:
                    continue
                texts.add(text)
                owners = self.names[text]
                chosen = [o for o in owners if o[0] in listed] if len(owners) > 1 else owners
                if len(chosen) == 1:
                    found.add((chosen[0][0], chosen[0][1], text))
        for alias, pattern in self.role_res.items():
            if not pattern.search(story.body):
                continue
            texts.add(alias)
            if story.date is None:
                continue
            for slug, role in self.roles[alias]:
                if (role.start is None or role.start <= story.date) and (
                    role.end is None or story.date <= role.end
                ):
                    found.add((slug, "role alias", alias))
        return found, texts


def _unused(text: str, stories: list[Story]) -> bool:
    pattern = names_pattern([text])
    return not any(pattern.search(s.body) for s in stories)


def renamed_alias(old: str, stories: list[Story]) -> str:
    """A new alias that no article uses: 'Ms Hussain' -> 'Dr Hussain'."""
    first, _, rest = old.partition(" ")
    candidates = []
    if first in TITLES and rest:
        candidates.append(f"{'Mx' if first == 'Dr' else 'Dr'} {rest}")
    if first.lower() == "the" and rest:
        candidates.append(f"the acting {rest}")
    candidates += [f"{old} Bench", "Bench Alias"]
    return next(c for c in candidates if _unused(c, stories))


def pick(corpus: Path, wanted_share: float = 0.01, wanted_people: int = 200) -> dict[str, Any]:
    """Choose the alias to rename and the person whose title to change; describe both."""
    people = read_people(corpus)
    stories = read_stories(corpus)
    resolver = Resolver(people)
    named: dict[str, set[str]] = defaultdict(set)  # person -> articles naming them
    alias_use: dict[tuple[str, str, str], int] = defaultdict(int)  # (person, kind, text)
    text_use: dict[str, int] = defaultdict(int)
    for story in stories:
        uses, texts = resolver.uses(story)
        for slug, kind, text in uses:
            named[slug].add(story.slug)
            if kind in ("alias", "role alias"):
                alias_use[(slug, kind, text)] += 1
        for text in texts:
            text_use[text] += 1
    total = len(stories)
    if not people or not stories:
        raise ValueError(f"{corpus} has no people or no articles")

    candidates = [(p.slug, "alias", alias) for p in people.values() for alias in p.aliases] + [
        (p.slug, "role alias", alias)
        for p in people.values()
        for r in p.roles
        for alias in r.aliases
    ]
    if not candidates:
        raise ValueError(f"nobody in {corpus} has an alias")
    target = wanted_share * total

    def distance(c: tuple[str, str, str]) -> tuple[float, float, bool, str, str]:
        # Both the text's own share and this person's use of it should be near the target:
        # a text shared by several owners would make the rename touch more than it changes.
        mine, anyone = alias_use.get(c, 0), text_use.get(c[2], 0)
        return (
            max(abs(mine - target), abs(anyone - target)),
            abs(mine - target),
            c[1] != "alias",
            c[0],
            c[2],
        )

    slug, kind, old = min(candidates, key=distance)
    count = alias_use.get((slug, kind, old), 0)
    alias = AliasPick(
        person=slug,
        path=people[slug].path.relative_to(corpus).as_posix(),
        kind=kind,
        old=old,
        new=renamed_alias(old, stories),
        articles=count,
        text_articles=text_use.get(old, 0),
        share=count / total,
        wanted_share=wanted_share,
        total_articles=total,
    )

    with_roles = [p for p in people.values() if p.roles]
    if not with_roles:
        raise ValueError(f"nobody in {corpus} has a role")
    person = min(
        with_roles, key=lambda p: (abs(len(named.get(p.slug, ())) - wanted_people), p.slug)
    )
    role = person.roles[0]
    dates = {s.slug: s.date for s in stories}
    in_role = sum(
        1
        for a in named.get(person.slug, ())
        if (d := dates.get(a)) is not None
        and (role.start is None or role.start <= d)
        and (role.end is None or d <= role.end)
    )
    title = TitlePick(
        person=person.slug,
        path=person.path.relative_to(corpus).as_posix(),
        name=person.name,
        role=0,
        old=role.title,
        new=f"Acting {role.title}",
        articles=len(named.get(person.slug, ())),
        articles_in_role=in_role,
        wanted=wanted_people,
        total_articles=total,
    )
    return {"alias": asdict(alias), "title": asdict(title)}


def _replace_once(text: str, old: str, new: str, what: str) -> str:
    front_end = text.index("---\n", 4)
    front, rest = text[:front_end], text[front_end:]
    if front.count(old) != 1:
        raise ValueError(
            f"cannot change {what}: {old!r} is in the front matter {front.count(old)} times"
        )
    return front.replace(old, new) + rest


def _yaml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def with_alias_renamed(person_text: str, alias: dict[str, Any]) -> str:
    """Return the person's file with the picked alias renamed."""
    for quoted in (_yaml_str(alias["old"]), f"'{alias['old']}'"):
        if quoted in person_text:
            return _replace_once(person_text, quoted, _yaml_str(alias["new"]), "the alias")
    return _replace_once(person_text, alias["old"], alias["new"], "the alias")


def with_title_changed(person_text: str, title: dict[str, Any]) -> str:
    """Return the person's file with the picked role's title changed."""
    data, _ = _front(person_text)
    roles = data.get("roles") or []
    if len(roles) <= title["role"] or roles[title["role"]].get("title") != title["old"]:
        raise ValueError(f"{title['path']}: role {title['role']} is not titled {title['old']!r}")
    line = re.compile(r"(?m)^(\s*-?\s*title:\s*)(.+)$")
    hits = [
        m
        for m in line.finditer(person_text.split("---\n", 2)[1])
        if _unquote(m.group(2)) == title["old"]
    ]
    if len(hits) != 1:
        raise ValueError(f"{title['path']}: the title {title['old']!r} is on {len(hits)} lines")
    start = person_text.index("---\n") + 4
    m = hits[0]
    return (
        person_text[: start + m.start(2)]
        + _yaml_str(title["new"])
        + person_text[start + m.end(2) :]
    )


def _unquote(value: str) -> str:
    loaded = yaml.load(value, Loader=Loader)
    return str(loaded)
