"""Whom the names in running text mean: names, aliases and role aliases, read on a date.

The resolver is pure and knows nothing of Markdown. A passage of text, the story's date,
the people and topics the story lists and every name on the site go in; the mentions
come out, each with the entity it names, where it stands, whether it becomes a link and
the sentence it stands in, and so do the problems to warn of (a name that could mean
several people, an office that changed hands in the month a sentence gives).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .textdates import Period, SentenceDate, pick_period, quotation_at, quotations, sentence_dates

MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
MONTH_BEFORE_RE = re.compile(
    r"(?:\d(?:st|nd|rd|th)?|\b(?:in|of|since|until|till|during|early|late|mid|last|next|this))"
    r"[\s-]+\Z",
    re.IGNORECASE,
)
MONTH_AFTER_RE = re.compile(r"\s+\d")
SENTENCE_START_RE = re.compile(r"(?:[.!?:][\"”’')\]]*\s+|[\"“‘'«(\[]\s*)\Z")
SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"”’')\]»]*\s+(?=[\"“‘'(\[«]?[A-Z0-9])")
# Full stops that end an abbreviation, not a sentence: "Mr. Johnson", "Sept. 4", "U.S. troops".
ABBREVIATION_END_RE = re.compile(
    r"(?<![\w.])(?:Mr|Mrs|Ms|Mx|Dr|Prof|St|Rev|Gen|Col|Capt|Lt|Sgt|Gov|Sen|Rep|Rt|Hon|No"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|[A-Z](?:\.[A-Z])*)\.\Z"
)
ELLIPSIS_END_RE = re.compile(r"(?:\.\.\.|…)[.!?]?\Z")
MAX_EXCERPT = 320
BEFORE_WINDOW = 200  # characters before a name that decide how it reads


@dataclass(slots=True)
class Problem:
    """Something the author should hear about, located by text to find in the source."""

    severity: str
    message: str
    needle: str
    line: int = 0  # where it is, when known better than by searching for needle


@dataclass(frozen=True, slots=True)
class AliasUse:
    """One way a name can be written, valid between two dates (open ends are None)."""

    slug: str
    start: date | None = None
    end: date | None = None
    expansion: str = ""  # for abbreviations: the full name shown in <abbr title>
    # A role's aliases are read on the date a sentence gives ("In March 2018 the Prime
    # Minister ..."), other names on the story's date. Only that is kept of the role:
    # the index holds what decides who a form names, so renaming an office changes no
    # form's meaning (and converts no body again).
    role: bool = False

    def valid_on(self, day: date | None) -> bool:
        if day is None:
            return self.start is None and self.end is None
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)

    def overlaps(self, period: Period) -> bool:
        return (self.start is None or self.start < period.end) and (
            self.end is None or self.end > period.start
        )


def holders(uses: Iterable[AliasUse], day: date | None, period: Period | None) -> dict[str, bool]:
    """Map each slug a name can mean to whether it names them for all of the time meant.

    A role's aliases are read over `period`, the date the sentence gives, when there is
    one; every other name, and role aliases in sentences without a date, on `day`.
    """
    found: dict[str, bool] = {}
    spans: dict[str, list[AliasUse]] = {}
    for use in uses:
        if use.role and period is not None:
            if use.overlaps(period):
                spans.setdefault(use.slug, []).append(use)
        elif use.valid_on(day) or (use.start is None and use.end is None):
            found[use.slug] = True
    for slug, held in spans.items():
        assert period is not None
        found[slug] = found.get(slug, False) or _covers(held, period)
    return found


def _covers(uses: list[AliasUse], period: Period) -> bool:
    """Return whether the uses together hold on every day of period."""
    reached = period.start
    for use in sorted(uses, key=lambda u: u.start or date.min):
        if use.start is not None and use.start > reached:
            return False  # a gap: someone else, or nobody, held it then
        reached = max(reached, use.end or date.max)
        if reached >= period.end:
            return True
    return reached >= period.end


@dataclass(frozen=True, slots=True)
class NameIndex:
    """Every name and alias on the site, compiled into one pattern."""

    pattern: re.Pattern[str] | None
    uses: Mapping[str, tuple[AliasUse, ...]]

    @classmethod
    def build(cls, uses: Mapping[str, list[AliasUse]]) -> NameIndex:
        """Compile all names into one pattern shaped like a trie, longest match first."""
        trie: dict[str, Any] = {}
        for key in uses:
            if not key:
                continue
            node = trie
            for atom in _alias_atoms(key):
                node = node.setdefault(atom, {})
            node[""] = {}  # the end of a name
        body = _trie_regex(trie)
        pattern = re.compile(r"(?<![\w])" + body + r"(?![\w])") if trie else None
        return cls(pattern, {k: tuple(v) for k, v in uses.items()})


def normalise_name(text: str) -> str:
    """Treat straight and curly apostrophes, and runs of spaces, as the same."""
    return re.sub(r"\s+", " ", text.replace("\u2019", "'").replace("\u2018", "'")).strip()


def _alias_atoms(alias: str) -> list[str]:
    """Split a name into regex pieces: any apostrophe, any run of spaces, a capital start."""
    out = []
    for i, ch in enumerate(alias):
        if ch == "'":
            out.append("['\u2019\u2018]")
        elif ch == " ":
            out.append(r"\s+")
        elif i == 0 and ch.islower() and ch.upper() != ch:
            out.append(f"[{re.escape(ch)}{re.escape(ch.upper())}]")
        else:
            out.append(re.escape(ch))
    return out


def _trie_regex(node: dict[str, Any]) -> str:
    """Turn a trie of regex atoms into a pattern that tries longer names first."""
    branches = []
    for atom, child in sorted(node.items()):
        if not atom:
            continue
        # Follow a run of single continuations in a loop: a long name must not recurse deep.
        while len(child) == 1 and "" not in child:
            ((more, child),) = child.items()
            atom += more
        branches.append(atom + _trie_regex(child))
    if not branches:
        return ""
    if "" in node:
        return "(?:" + "|".join(branches) + ")?"
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


# --- Sentences ------------------------------------------------------------------------------


def sentence_breaks(text: str) -> list[tuple[int, int]]:
    """Return where each sentence of a text ends and the next one starts.

    A full stop after an abbreviation ("Mr.", "Sept.", "U.S.") ends nothing, and nor does
    an ellipsis inside a quotation: "We tried... But we failed," she said.
    """
    breaks = []
    quoted: list[tuple[int, int]] | None = None
    for m in SENTENCE_END_RE.finditer(text):
        stop = m.start()
        if ABBREVIATION_END_RE.search(text, max(0, stop - 16), stop):
            continue
        if ELLIPSIS_END_RE.search(text, max(0, stop - 4), stop):
            if quoted is None:
                quoted = quotations(text)
            inside = quotation_at(quoted, stop - 1)
            if inside is not None and stop < inside[1]:
                continue
        breaks.append((stop, m.end()))
    return breaks


def sentence_bounds(text: str, pos: int, breaks: list[tuple[int, int]]) -> tuple[int, int]:
    """Return the start and end of the sentence of text that contains pos."""
    i = bisect_right(breaks, pos, key=lambda b: b[1])  # the breaks resumed by pos
    start = breaks[i - 1][1] if i else 0
    end = breaks[i][0] if i < len(breaks) else len(text)
    return start, end


def _excerpt(text: str, pos: int, breaks: list[tuple[int, int]]) -> str:
    """Return the sentence of text that contains pos, trimmed to a readable length."""
    start, end = sentence_bounds(text, pos, breaks)
    sentence = re.sub(r"\s+", " ", text[start:end]).strip()
    if len(sentence) > MAX_EXCERPT:
        sentence = sentence[: MAX_EXCERPT - 1].rsplit(" ", 1)[0] + "…"
    return sentence


def _as_written(text: str) -> str:
    return text


@dataclass(slots=True)
class Passage:
    """One block of running text, as names are searched in it and as a reader reads it.

    `text` is what names are searched in; `as_read` gives what a reader sees of any piece
    of it (the caller's markup left out), and sentences, dates and quotations are read in
    that. Each of them is made when first needed and kept.
    """

    text: str
    as_read: Callable[[str], str] = _as_written
    read: str | None = field(default=None, init=False)  # as_read(text)
    breaks: list[tuple[int, int]] | None = field(default=None, init=False)  # of read
    quoted: list[tuple[int, int]] | None = field(default=None, init=False)  # of read
    dates: dict[int, tuple[SentenceDate, ...]] = field(default_factory=dict, init=False)
    # The last offset of text turned into an offset of read, to go on from there
    text_at: int = field(default=0, init=False)
    read_at: int = field(default=0, init=False)

    def read_text(self) -> str:
        if self.read is None:
            self.read = self.as_read(self.text)
        return self.read

    def read_pos(self, at: int) -> int:
        """Return where offset `at` of text (outside any markup) falls in the text as read."""
        if at < self.text_at:
            self.text_at = self.read_at = 0
        # Offsets come in document order, so each call reads only the text since the last.
        self.read_at += len(self.as_read(self.text[self.text_at : at]))
        self.text_at = at
        return self.read_at

    def text_before(self, pos: int) -> str:
        """Return enough of the text as read before pos to tell what a name follows."""
        read = self.read_text()
        start = max(0, pos - BEFORE_WINDOW)
        # Begin at a word's start, so that a word cut in two cannot look like another.
        while start > 0 and not read[start - 1].isspace() and pos - start < 2 * BEFORE_WINDOW:
            start -= 1
        window = read[start:pos]
        if start > 0 and (not window.strip() or not read[start - 1].isspace()):
            return read[:pos]  # a long run of spaces or one long word: take it all
        return window

    def sentence_breaks(self) -> list[tuple[int, int]]:
        if self.breaks is None:
            self.breaks = sentence_breaks(self.read_text())
        return self.breaks

    def period_at(self, pos: int, story: date | None) -> Period | None:
        """Return the period the sentence around pos (in the text as read) is set in."""
        read = self.read_text()
        start, end = sentence_bounds(read, pos, self.sentence_breaks())
        if self.quoted is None:
            self.quoted = quotations(read)
        dates = self.dates.get(start)
        if dates is None:
            dates = self.dates[start] = sentence_dates(read, story, start, end, self.quoted)
        return pick_period(dates, self.quoted, pos)

    def sentence_at(self, at: int) -> str:
        """Return the sentence around offset `at` of text, as read and trimmed."""
        read = self.read_text()
        return _excerpt(read, self.read_pos(at), self.sentence_breaks())


# --- The resolver ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoryNames:
    """What the names in a story are read against: every name, the story's date, its list."""

    index: NameIndex
    day: date | None = None
    listed: frozenset[str] = frozenset()  # the people and topics the story lists


@dataclass(frozen=True, slots=True)
class NameMention:
    """A name found in running text, and whom it names there."""

    slug: str
    start: int  # where it stands in the text searched
    end: int
    written: str  # as the text has it
    expansion: str  # for an abbreviation, the full name; otherwise ''
    first: bool  # the first mention of slug, the one a profile quotes
    linked: bool  # it becomes a link: the first mention, and no [[ref]] links slug
    sentence: str  # for the first mention, the sentence it stands in; otherwise ''


@dataclass(frozen=True, slots=True)
class NameReading:
    """What reading a text for names found: its mentions in order, and what to warn of."""

    mentions: tuple[NameMention, ...]
    problems: tuple[Problem, ...]


def resolve_mentions(
    text: str,
    story: StoryNames,
    mentioned: Container[str] = (),
    hand_linked: Container[str] = (),
) -> NameReading:
    """Find whom the names in a plain text mean; all of it is running text."""
    return resolve_run(story, Passage(text), 0, text, ((0, len(text)),), mentioned, hand_linked)


def resolve_run(
    story: StoryNames,
    passage: Passage,
    offset: int,
    text: str,
    spans: Iterable[tuple[int, int]],
    mentioned: Container[str] = (),
    hand_linked: Container[str] = (),
) -> NameReading:
    """Find whom the names in one run of a passage mean.

    The run is `text`, standing at `offset` in the passage; names are searched in the
    `spans` of it (the running text: the caller leaves out what it must not link) but
    each on its own, so that a name cannot run from one span into the next. Slugs in
    `mentioned` were mentioned earlier; slugs in `hand_linked` are linked by a [[ref]],
    so their names never become links.
    """
    pattern = story.index.pattern
    if pattern is None:
        return NameReading((), ())
    found: list[NameMention] = []
    problems: list[Problem] = []
    mentioned_here: set[str] = set()
    for span_start, span_end in spans:
        pos = span_start
        while True:
            m = pattern.search(text, pos, span_end)
            if not m:
                break
            named = _resolve_match(story, passage, offset, text, m, problems)
            if named is None:
                pos = m.start() + 1
                continue
            slug, length, expansion = named
            end = m.start() + length
            # A longer name starting inside this one wins: "the Prime Minister's
            # Questions" names the Questions, not the Prime Minister.
            longer = pattern.search(text, m.start() + 1, span_end)
            if longer and longer.start() < end and longer.end() - longer.start() > length:
                better = _resolve_match(story, passage, offset, text, longer, problems)
                if better is not None and longer.start() + better[1] > end:
                    m, (slug, length, expansion) = longer, better
                    end = m.start() + length
            first = slug not in mentioned and slug not in mentioned_here
            mentioned_here.add(slug)
            found.append(
                NameMention(
                    slug=slug,
                    start=m.start(),
                    end=end,
                    written=text[m.start() : end],
                    expansion=expansion,
                    first=first,
                    linked=first and slug not in hand_linked,
                    sentence=passage.sentence_at(offset + m.start()) if first else "",
                )
            )
            pos = end
    return NameReading(tuple(found), tuple(problems))


def _resolve_match(
    story: StoryNames,
    passage: Passage,
    offset: int,
    text: str,
    m: re.Match[str],
    problems: list[Problem],
) -> tuple[str, int, str] | None:
    """Pick the entity a match names on the story's date, trying shorter names too.

    Return its slug, the length of the name it was found under and the expansion.
    """
    matched = m.group(0)
    # Word-boundary cut points, longest first: the full match, then shorter prefixes.
    cuts = [len(matched)] + [
        i
        for i in range(len(matched) - 1, 0, -1)
        if not matched[i].isalnum()
        and matched[i - 1].isalnum()
        and matched[i] != "'"
        and matched[i] != "\u2019"
    ]
    known: list[str] = []

    def before() -> str:  # the passage's text before the match: only some names need it
        if not known:
            known.append(passage.text_before(passage.read_pos(offset + m.start())))
        return known[0]

    def period() -> Period | None:  # the date the match's sentence gives, if any
        return passage.period_at(passage.read_pos(offset + m.start()), story.day)

    for cut in cuts:
        candidate = matched[:cut]
        found = _resolve_form(story, candidate, before, text[m.start() + cut :], period, problems)
        if found is not None:
            return (found[0], cut, found[1])
    return None


def _resolve_form(
    story: StoryNames,
    candidate: str,
    before: Callable[[], str],
    after: str,
    period: Callable[[], Period | None],
    problems: list[Problem],
) -> tuple[str, str] | None:
    """Return the slug one written form names, and its expansion, or None (with why)."""
    key = normalise_name(candidate)
    uses = story.index.uses.get(key)
    if uses is None and key[:1].isupper():
        # "The Prime Minister said" names `the Prime Minister` at a sentence start.
        lowered = key[:1].lower() + key[1:]
        if lowered in story.index.uses and (
            not before().strip() or SENTENCE_START_RE.search(before())
        ):
            uses = story.index.uses[lowered]
    if not uses:
        return None
    if key.lower() in MONTHS and (MONTH_AFTER_RE.match(after) or MONTH_BEFORE_RE.search(before())):
        return None
    when = period() if any(u.role for u in uses) else None
    found = holders(uses, story.day, when)
    slugs = sorted(found)
    if not slugs:
        return None
    listed = [s for s in slugs if s in story.listed]
    slug = slugs[0] if len(slugs) == 1 else listed[0] if len(listed) == 1 else ""
    if slug and found[slug]:
        expansion = next((u.expansion for u in uses if u.slug == slug and u.expansion), "")
        return slug, expansion
    if when is not None and not all(found.values()):
        problems.append(_changed_hands(candidate, slugs, when))
    else:
        problems.append(
            Problem(
                "warning",
                f"'{candidate}' could mean {', '.join(slugs)}; it is left unlinked. "
                "List exactly one of them in people (or topics), or write [[slug|"
                f"{candidate}]]",
                candidate,
            )
        )
    return None


def _changed_hands(candidate: str, slugs: list[str], period: Period) -> Problem:
    """Warn of a role alias in a sentence dated a month or year in which its holder changed."""
    refs = [f"[[{s}|{candidate}]]" for s in slugs]
    if len(slugs) == 1:
        message = (
            f"'{candidate}' could mean {slugs[0]}, who held it for only part of "
            f"{period.label}, the date this sentence gives; it is left unlinked. Write "
            f"{refs[0]} if it means them, or give the day"
        )
    else:
        who = ", ".join(slugs[:-1]) + f" or {slugs[-1]}"
        message = (
            f"'{candidate}' could mean {who}, who each held it in {period.label}, the date this "
            f"sentence gives; it is left unlinked. Write {', '.join(refs[:-1])} or "
            f"{refs[-1]} for the one meant, or give the day"
        )
    return Problem("warning", message, period.written)
