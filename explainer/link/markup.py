"""Markdown to HTML with [[refs]] and automatic mention links (a Python-Markdown extension)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import slugify as toc_slugify
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, HTML_PLACEHOLDER_RE, INLINE_PLACEHOLDER_PREFIX, STX, AtomicString

from .textdates import Period, SentenceDate, pick_period, quotation_at, quotations, sentence_dates

MARKDOWN_EXTENSIONS = ("fenced_code", "tables", "footnotes", "attr_list", "toc")
# Ids the page templates use; a heading in a body gets another, so no id is used twice.
RESERVED_IDS = frozenset(
    [
        "appears-in",
        "appears-in-heading",
        "background",
        "bio",
        "by-person",
        "claims",
        "co-mentions",
        "corrections",
        "corrections-heading",
        "in-their-words",
        "latest",
        "links",
        "main",
        "parties",
        "people-in-story",
        "quotes",
        "related-articles",
        "related-headlines",
        "roles",
        "search",
        "search-status",
        "sources",
        "site-search-q",
        "who",
        "hovercard",
        "explainer-cards",
        "search-ui",
    ]
)
RESERVED_ID_PREFIXES = ("by-", "kind-", "status-", "year-", "source-", "fn:", "fnref:")
REF_RE = r"\[\[([^\[\]|\n]+?)(?:\|([^\[\]\n]+?))?\]\]"
BLOCK_TAGS = frozenset(
    [
        "p",
        "li",
        "td",
        "th",
        "dt",
        "dd",
        "figcaption",
        "caption",
        "blockquote",
        "div",
        "section",
        "aside",
        "details",
        "summary",
        "ul",
        "ol",
        "dl",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "figure",
        "body",
    ]
)
SKIP_TAGS = frozenset(
    [
        "a",
        "code",
        "pre",
        "kbd",
        "samp",
        "script",
        "style",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "abbr",
    ]
)
VOID_TAGS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)
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
INLINE_PLACEHOLDER_RE = re.compile(re.escape(INLINE_PLACEHOLDER_PREFIX) + r"\d+" + ETX)
SINGLE_TAG_RE = re.compile(r"<\s*(/)?\s*([a-zA-Z][\w:-]*)[^<>]*?(/)?\s*>\Z", re.DOTALL)
MAX_EXCERPT = 320
BEFORE_WINDOW = 200  # characters before a name that decide how it reads
# Markdown reads from each unclosed '[', '(' or '<' to the end of its paragraph; past this
# many characters read in all (about a second), a text is refused rather than converted.
MAX_UNCLOSED_SCAN = 2_000_000
OPENER_RE = re.compile(r"\\.|[\[\]()<>]", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Target:
    """Where a slug links to, and how a link to it is labelled."""

    slug: str
    href: str
    text: str
    summary: str
    kind: str  # 'article', 'person' or 'topic'
    draft: bool = False


@dataclass(frozen=True, slots=True)
class AliasUse:
    """One way a name can be written, valid between two dates (open ends are None)."""

    slug: str
    start: date | None = None
    end: date | None = None
    expansion: str = ""  # for abbreviations: the full name shown in <abbr title>
    # For a role's aliases, the role's title: they are read on the date a sentence
    # gives ("In March 2018 the Prime Minister ..."), other names on the story's date.
    office: str = ""

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
        if use.office and period is not None:
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


@dataclass(slots=True)
class Mention:
    """The first appearance of an entity in a text, and whether it was linked."""

    slug: str
    excerpt: str
    linked: bool


@dataclass(slots=True)
class Problem:
    """Something the author should hear about, located by text to find in the source."""

    severity: str
    message: str
    needle: str
    line: int = 0  # where it is, when known better than by searching for needle


@dataclass(slots=True)
class ConvertContext:
    """What one conversion needs to know, and what it found."""

    resolve: Callable[[str], Target | None]
    names: NameIndex | None = None
    day: date | None = None
    listed: frozenset[str] = frozenset()
    targets: Mapping[str, Target] = field(default_factory=dict)
    mentions: dict[str, Mention] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    ref_slugs: set[str] = field(default_factory=set)


class _RefProcessor(InlineProcessor):
    """Turn [[slug]] and [[slug|text]] into links."""

    def __init__(self, ext: MentionExtension, md: markdown.Markdown) -> None:
        super().__init__(REF_RE, md)
        self.ext = ext

    def handleMatch(  # type: ignore[override]  # noqa: N802 - Markdown's API name
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | str, int, int]:
        ctx = self.ext.ctx
        slug = m.group(1).strip()
        label = m.group(2).strip() if m.group(2) else None
        target = ctx.resolve(slug)
        if target is None:
            ctx.problems.append(
                Problem(
                    "error",
                    f"broken link [[{slug}]]: no article, person or topic has that slug",
                    m.group(0),
                )
            )
            return label or slug, m.start(0), m.end(0)
        if target.draft:
            ctx.problems.append(
                Problem(
                    "warning",
                    f"[[{slug}]] links to a draft article; it is shown as plain text until the draft is published",
                    m.group(0),
                )
            )
            return label or target.text, m.start(0), m.end(0)
        el = etree.Element("a", {"href": target.href, "data-ref": slug})
        if target.kind != "article":
            el.set("class", "mention")
            el.set("title", target.summary)
            ctx.ref_slugs.add(slug)
        el.text = label or AtomicString(target.text)  # a name is text, never markup
        return el, m.start(0), m.end(0)


class _MentionProcessor(Treeprocessor):
    """Link the first running-text mention of each person or topic."""

    def __init__(self, ext: MentionExtension, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        ctx = self.ext.ctx
        _Walker(ctx, self.md.htmlStash.rawHtmlBlocks).walk_block(root, skip=False)


class _Walker:
    """Walk a tree in document order, block by block, finding and linking mentions."""

    def __init__(self, ctx: ConvertContext, stash: list[str | etree.Element]) -> None:
        self.ctx = ctx
        self.stash = stash

    def walk_block(self, block: etree.Element, skip: bool) -> str:
        """Process a block element; return its full text (unchanged by linking)."""
        state = _BlockState(full=_plain(block))
        self._walk_inline(block, state, skip, is_block=True)
        return state.full

    def _walk_inline(
        self, el: etree.Element, state: _BlockState, skip: bool, is_block: bool
    ) -> None:
        skip = skip or el.tag in SKIP_TAGS
        if el.tag == "a" and el.get("data-ref"):
            self._record(el.get("data-ref", ""), state, len(state.seen), linked=True)
        children = list(el)  # before linking el.text adds links that are not to be walked
        if el.text:
            el.text = self._text(el, None, el.text, state, skip)
        for child in children:
            if child.tag in BLOCK_TAGS:
                state.seen += self.walk_block(child, skip)
            else:
                self._walk_inline(child, state, skip, is_block=False)
            if child.tail:
                child.tail = self._text(el, child, child.tail, state, skip)

    def _text(
        self,
        parent: etree.Element,
        after: etree.Element | None,
        text: str,
        state: _BlockState,
        skip: bool,
    ) -> str:
        """Scan one text run; link mentions by splitting it into text and <a> elements."""
        ctx = self.ctx
        start_offset = len(state.seen)
        state.seen += text
        if skip or ctx.names is None or ctx.names.pattern is None:
            self._track_raw(text, state)
            return text
        pieces: list[tuple[str, etree.Element | None]] = []  # (text before, link)
        last = 0
        for seg_start, seg_end in self._runs(text, state):
            pos = seg_start
            while True:
                m = ctx.names.pattern.search(text, pos, seg_end)
                if not m:
                    break
                found = self._resolve(text, m, state, start_offset)
                if found is None:
                    pos = m.start() + 1
                    continue
                slug, length, expansion = found
                end = m.start() + length
                # A longer name starting inside this one wins: "the Prime Minister's
                # Questions" names the Questions, not the Prime Minister.
                longer = ctx.names.pattern.search(text, m.start() + 1, seg_end)
                if longer and longer.start() < end and longer.end() - longer.start() > length:
                    better = self._resolve(text, longer, state, start_offset)
                    if better is not None and longer.start() + better[1] > end:
                        m, (slug, length, expansion) = longer, better
                        end = m.start() + length
                matched = text[m.start() : end]
                first = slug not in ctx.mentions
                self._record(slug, state, start_offset + m.start(), linked=False)
                if first and slug not in ctx.ref_slugs:
                    ctx.mentions[slug].linked = True
                    pieces.append((text[last : m.start()], self._link(slug, matched, expansion)))
                    last = end
                pos = end
        if not pieces:
            return text
        # Attach the new links after `after` (or at the start of parent), each carrying its tail.
        index = 0 if after is None else list(parent).index(after) + 1
        head = pieces[0][0]
        for i, (_, link) in enumerate(pieces):
            assert link is not None
            link.tail = pieces[i + 1][0] if i + 1 < len(pieces) else text[last:]
            parent.insert(index + i, link)
        if after is None:
            return head
        after.tail = head
        return head

    def _runs(self, text: str, state: _BlockState) -> list[tuple[int, int]]:
        """Return the spans of text that lie outside raw inline HTML elements."""
        runs: list[tuple[int, int]] = []
        pos = 0
        for m in HTML_PLACEHOLDER_RE.finditer(text):
            if state.raw_depth == 0 and m.start() > pos:
                runs.append((pos, m.start()))
            self._apply_raw(m.group(0), state)
            pos = m.end()
        if state.raw_depth == 0 and pos < len(text):
            runs.append((pos, len(text)))
        return runs

    def _track_raw(self, text: str, state: _BlockState) -> None:
        for m in HTML_PLACEHOLDER_RE.finditer(text):
            self._apply_raw(m.group(0), state)

    def _apply_raw(self, placeholder: str, state: _BlockState) -> None:
        m = HTML_PLACEHOLDER_RE.match(placeholder)
        if not m:
            return
        index = int(m.group(1))
        raw = self.stash[index] if index < len(self.stash) else ""
        if not isinstance(raw, str):
            return
        tag = SINGLE_TAG_RE.match(raw.strip())
        if not tag or tag.group(2).lower() in VOID_TAGS or tag.group(3):
            return
        if tag.group(1):
            state.raw_depth = max(0, state.raw_depth - 1)
        else:
            state.raw_depth += 1

    def _resolve(
        self, text: str, m: re.Match[str], state: _BlockState, offset: int
    ) -> tuple[str, int, str] | None:
        """Pick the entity a match names on the context's date, trying shorter names too."""
        ctx = self.ctx
        assert ctx.names is not None
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

        def before() -> str:  # the block's text before the match: only some names need it
            if not known:
                known.append(state.text_before(state.clean_pos(offset + m.start())))
            return known[0]

        def period() -> Period | None:  # the date the match's sentence gives, if any
            return state.period_at(state.clean_pos(offset + m.start()), ctx.day)

        for cut in cuts:
            candidate = matched[:cut]
            found = self._lookup(candidate, before, text[m.start() + cut :], period)
            if found is not None:
                return (found[0], cut, found[1])
        return None

    def _lookup(
        self,
        candidate: str,
        before: Callable[[], str],
        after: str,
        period: Callable[[], Period | None],
    ) -> tuple[str, str] | None:
        ctx = self.ctx
        assert ctx.names is not None
        key = normalise_name(candidate)
        uses = ctx.names.uses.get(key)
        if uses is None and key[:1].isupper():
            # "The Prime Minister said" names `the Prime Minister` at a sentence start.
            lowered = key[:1].lower() + key[1:]
            if lowered in ctx.names.uses and (
                not before().strip() or SENTENCE_START_RE.search(before())
            ):
                uses = ctx.names.uses[lowered]
        if not uses:
            return None
        if key.lower() in MONTHS and (
            MONTH_AFTER_RE.match(after) or MONTH_BEFORE_RE.search(before())
        ):
            return None
        when = period() if any(u.office for u in uses) else None
        found = holders(uses, ctx.day, when)
        slugs = sorted(found)
        if not slugs:
            return None
        listed = [s for s in slugs if s in ctx.listed]
        slug = slugs[0] if len(slugs) == 1 else listed[0] if len(listed) == 1 else ""
        if slug and found[slug]:
            expansion = next((u.expansion for u in uses if u.slug == slug and u.expansion), "")
            return slug, expansion
        if when is not None and not all(found.values()):
            ctx.problems.append(_changed_hands(candidate, slugs, when))
        else:
            ctx.problems.append(
                Problem(
                    "warning",
                    f"'{candidate}' could mean {', '.join(slugs)}; it is left unlinked. "
                    "List exactly one of them in people (or topics), or write [[slug|"
                    f"{candidate}]]",
                    candidate,
                )
            )
        return None

    def _record(self, slug: str, state: _BlockState, offset: int, linked: bool) -> None:
        if slug in self.ctx.mentions:
            return
        cleaned = state.clean()
        pos = state.clean_pos(offset)
        self.ctx.mentions[slug] = Mention(
            slug, _excerpt(cleaned, pos, state.sentence_breaks()), linked
        )

    def _link(self, slug: str, text: str, expansion: str) -> etree.Element:
        target = self.ctx.targets.get(slug) or self.ctx.resolve(slug)
        assert target is not None
        el = etree.Element(
            "a",
            {"href": target.href, "class": "mention", "data-ref": slug, "title": target.summary},
        )
        if expansion:
            abbr = etree.SubElement(el, "abbr", {"title": expansion})
            abbr.text = text
        else:
            el.text = text
        return el


@dataclass(slots=True)
class _BlockState:
    full: str
    seen: str = ""
    raw_depth: int = 0
    cleaned: str | None = None  # full, as _clean gives it; made when first needed
    breaks: list[tuple[int, int]] | None = None  # its sentence breaks; made when first needed
    quoted: list[tuple[int, int]] | None = None  # its quotations; made when first needed
    dates: dict[int, tuple[SentenceDate, ...]] = field(default_factory=dict)  # by sentence
    # The last offset of full turned into an offset of cleaned, to go on from there
    raw_at: int = 0
    clean_at: int = 0

    def clean(self) -> str:
        if self.cleaned is None:
            self.cleaned = _clean(self.full)
        return self.cleaned

    def clean_pos(self, raw: int) -> int:
        """Return where offset raw of full (outside any placeholder) falls in cleaned."""
        if raw < self.raw_at:
            self.raw_at = self.clean_at = 0
        # Offsets come in document order, so each call cleans only the text since the last.
        self.clean_at += len(_clean(self.full[self.raw_at : raw]))
        self.raw_at = raw
        return self.clean_at

    def text_before(self, pos: int) -> str:
        """Return enough of the cleaned text before pos to tell what a name follows."""
        cleaned = self.clean()
        start = max(0, pos - BEFORE_WINDOW)
        # Begin at a word's start, so that a word cut in two cannot look like another.
        while start > 0 and not cleaned[start - 1].isspace() and pos - start < 2 * BEFORE_WINDOW:
            start -= 1
        window = cleaned[start:pos]
        if start > 0 and (not window.strip() or not cleaned[start - 1].isspace()):
            return cleaned[:pos]  # a long run of spaces or one long word: take it all
        return window

    def sentence_breaks(self) -> list[tuple[int, int]]:
        if self.breaks is None:
            self.breaks = sentence_breaks(self.clean())
        return self.breaks

    def period_at(self, pos: int, story: date | None) -> Period | None:
        """Return the period the sentence around pos (in the cleaned text) is set in."""
        cleaned = self.clean()
        start, end = sentence_bounds(cleaned, pos, self.sentence_breaks())
        if self.quoted is None:
            self.quoted = quotations(cleaned)
        dates = self.dates.get(start)
        if dates is None:
            dates = self.dates[start] = sentence_dates(cleaned, story, start, end, self.quoted)
        return pick_period(dates, self.quoted, pos)


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


def _plain(el: etree.Element) -> str:
    return "".join(el.itertext())


def _clean(text: str) -> str:
    """Drop Markdown's placeholders and restore escaped characters."""
    text = HTML_PLACEHOLDER_RE.sub("", text)
    text = re.sub(f"{STX}(\\d+){ETX}", lambda m: chr(int(m.group(1))), text)
    return INLINE_PLACEHOLDER_RE.sub("", text)


def sentence_breaks(cleaned: str) -> list[tuple[int, int]]:
    """Return where each sentence of a cleaned text ends and the next one starts.

    A full stop after an abbreviation ("Mr.", "Sept.", "U.S.") ends nothing, and nor does
    an ellipsis inside a quotation: "We tried... But we failed," she said.
    """
    breaks = []
    quoted: list[tuple[int, int]] | None = None
    for m in SENTENCE_END_RE.finditer(cleaned):
        stop = m.start()
        if ABBREVIATION_END_RE.search(cleaned, max(0, stop - 16), stop):
            continue
        if ELLIPSIS_END_RE.search(cleaned, max(0, stop - 4), stop):
            if quoted is None:
                quoted = quotations(cleaned)
            inside = quotation_at(quoted, stop - 1)
            if inside is not None and stop < inside[1]:
                continue
        breaks.append((stop, m.end()))
    return breaks


def sentence_bounds(cleaned: str, pos: int, breaks: list[tuple[int, int]]) -> tuple[int, int]:
    """Return the start and end of the sentence of cleaned text that contains pos."""
    i = bisect_right(breaks, pos, key=lambda b: b[1])  # the breaks resumed by pos
    start = breaks[i - 1][1] if i else 0
    end = breaks[i][0] if i < len(breaks) else len(cleaned)
    return start, end


def sentence_at(text: str, offset: int, cleaned: str | None = None) -> str:
    """Return the sentence of text that contains offset, trimmed to a readable length.

    `cleaned` is _clean(text), when the caller has it already.
    """
    if cleaned is None:
        cleaned = _clean(text)
    return _excerpt(cleaned, len(_clean(text[:offset])), sentence_breaks(cleaned))


def _excerpt(cleaned: str, pos: int, breaks: list[tuple[int, int]]) -> str:
    start, end = sentence_bounds(cleaned, pos, breaks)
    sentence = re.sub(r"\s+", " ", cleaned[start:end]).strip()
    if len(sentence) > MAX_EXCERPT:
        sentence = sentence[: MAX_EXCERPT - 1].rsplit(" ", 1)[0] + "…"
    return sentence


class _ExternalLinks(Treeprocessor):
    """Mark links that leave the site: rel="noopener" and a hint for screen readers."""

    def run(self, root: etree.Element) -> None:
        for link in root.iter("a"):
            href = link.get("href", "")
            if not href.lower().startswith(("http://", "https://")):
                continue
            rel = link.get("rel", "").split()
            link.set("rel", " ".join(dict.fromkeys([*rel, "noopener"])))
            link.set("class", " ".join(filter(None, [link.get("class"), "external"])))
            hint = etree.SubElement(link, "span", {"class": "visually-hidden"})
            hint.text = " (external)"


class MentionExtension(Extension):
    """Register the [[ref]] pattern and the mention linker."""

    def __init__(self) -> None:
        super().__init__()
        self.ctx = ConvertContext(resolve=lambda slug: None)

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API name
        md.inlinePatterns.register(_RefProcessor(self, md), "explainer-ref", 175)
        md.treeprocessors.register(_MentionProcessor(self, md), "explainer-mentions", 15)
        md.treeprocessors.register(_ExternalLinks(md), "explainer-external", 14)


def heading_id(value: str, separator: str) -> str:
    """Make a heading's id, steering clear of the ids the page templates use."""
    slug = toc_slugify(value, separator) or "section"
    if slug in RESERVED_IDS or slug.startswith(RESERVED_ID_PREFIXES):
        slug += f"{separator}section"
    return slug


# What the text must contain for an inline pattern to have anything to match. Every
# pattern's match starts with (or is) one of these strings, and inline patterns only
# ever see substrings of the source, so a pattern whose triggers are all absent from a
# text cannot change its HTML and is left out for it. Python-Markdown tries each inline
# pattern on each piece of text, so this saves much of the inline stage's time.
INLINE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",),
    "escape": ("\\",),
    "footnote": ("[^",),
    "reference": ("[",),
    "link": ("[",),
    "image_link": ("![",),
    "image_reference": ("![",),
    "short_reference": ("[",),
    "short_image_ref": ("![",),
    "autolink": ("<",),
    "automail": ("<",),
    "linebreak": ("  \n",),
    "html": ("<",),
    "entity": ("&",),
    "em_strong": ("*", "_"),
    "explainer-ref": ("[[",),
}


def unclosed_openers(paragraph: str) -> tuple[int, int]:
    """Return how many '[', '(' and '<' are never closed, and how far Markdown reads from them."""
    open_at: dict[str, list[int]] = {"[": [], "(": [], "<": []}
    closes = {"]": "[", ")": "(", ">": "<"}
    for m in OPENER_RE.finditer(paragraph):
        char = m.group()
        if char in open_at:
            open_at[char].append(m.start())
        elif char in closes and open_at[closes[char]]:
            open_at[closes[char]].pop()
    unclosed = [at for stack in open_at.values() for at in stack]
    return len(unclosed), sum(len(paragraph) - at for at in unclosed)


def crowded_paragraph(text: str) -> Problem | None:
    """Return a problem for text whose unclosed brackets would keep Markdown busy for minutes."""
    openers = text.count("[") + text.count("(") + text.count("<")
    if openers * len(text) <= MAX_UNCLOSED_SCAN:
        return None  # even if none were closed, Markdown could not read that far
    total = 0
    for paragraph in re.split(r"\n[ \t]*\n", text):
        count, scan = unclosed_openers(paragraph)
        total += scan
        if total > MAX_UNCLOSED_SCAN:
            return Problem(
                "error",
                f"this paragraph has {count:,} '[', '(' or '<' that are never closed, and "
                "Markdown reads to its end from each; close them, write them as \\[, \\( "
                "or &lt;, or split the paragraph",
                paragraph,
            )
    return None
