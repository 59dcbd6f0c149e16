"""Markdown to HTML with [[refs]] and automatic mention links (a Python-Markdown extension)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import slugify as toc_slugify
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, HTML_PLACEHOLDER_RE, INLINE_PLACEHOLDER_PREFIX, STX, AtomicString

from .names import NameIndex, NameMention, Passage, Problem, StoryNames, resolve_run
from .names import normalise_name as normalise_name  # callers read it from here too

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
        "office-holders",
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
        "story-moment",
        "who",
        "hovercard",
        "explainer-cards",
        "search-ui",
    ]
)
RESERVED_ID_PREFIXES = ("by-", "kind-", "status-", "year-", "source-", "chart-", "fn:", "fnref:")
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
INLINE_PLACEHOLDER_RE = re.compile(re.escape(INLINE_PLACEHOLDER_PREFIX) + r"\d+" + ETX)
SINGLE_TAG_RE = re.compile(r"<\s*(/)?\s*([a-zA-Z][\w:-]*)[^<>]*?(/)?\s*>\Z", re.DOTALL)
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
class Mention:
    """The first appearance of an entity in a text, and whether it was linked."""

    slug: str
    excerpt: str
    linked: bool


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
    # Every slug the HTML links with data-ref (a hover card's key), as the links are made.
    card_refs: set[str] = field(default_factory=set)


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
        ctx.card_refs.add(slug)
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
        _Walker(self.ext.ctx, self.md.htmlStash.rawHtmlBlocks).walk_block(root, skip=False)


class _Walker:
    """Walk a tree in document order, block by block, and link the names found in it.

    Which names a text holds and whom they mean is the resolver's business (names.py);
    the walker tells it what is running text and turns what it finds into elements.
    """

    def __init__(self, ctx: ConvertContext, stash: list[str | etree.Element]) -> None:
        self.ctx = ctx
        self.stash = stash
        self.story = (
            StoryNames(ctx.names, ctx.day, ctx.listed)
            if ctx.names is not None and ctx.names.pattern is not None
            else None
        )

    def walk_block(self, block: etree.Element, skip: bool) -> str:
        """Process a block element; return its full text (unchanged by linking)."""
        state = _BlockState(Passage(_plain(block), _clean))
        self._walk_inline(block, state, skip)
        return state.passage.text

    def _walk_inline(self, el: etree.Element, state: _BlockState, skip: bool) -> None:
        skip = skip or el.tag in SKIP_TAGS
        if el.tag == "a" and el.get("data-ref"):
            self._record_ref(el.get("data-ref", ""), state)
        children = list(el)  # before linking el.text adds links that are not to be walked
        if el.text:
            el.text = self._text(el, None, el.text, state, skip)
        for child in children:
            if child.tag in BLOCK_TAGS:
                state.walked += len(self.walk_block(child, skip))
            else:
                self._walk_inline(child, state, skip)
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
        """Link the names in one text run by splitting it into text and <a> elements."""
        ctx = self.ctx
        offset = state.walked
        state.walked += len(text)
        if skip or self.story is None:
            self._track_raw(text, state)
            return text
        spans = self._linkable_spans(text, state)
        reading = resolve_run(
            self.story, state.passage, offset, text, spans, ctx.mentions, ctx.ref_slugs
        )
        ctx.problems.extend(reading.problems)
        pieces: list[tuple[str, etree.Element]] = []  # (text before, link)
        last = 0
        for mention in reading.mentions:
            if mention.first:
                ctx.mentions[mention.slug] = Mention(mention.slug, mention.sentence, mention.linked)
            if mention.linked:
                pieces.append((text[last : mention.start], self._link(mention)))
                last = mention.end
        if not pieces:
            return text
        # Attach the new links after `after` (or at the start of parent), each carrying its tail.
        index = 0 if after is None else list(parent).index(after) + 1
        head = pieces[0][0]
        for i, (_, link) in enumerate(pieces):
            link.tail = pieces[i + 1][0] if i + 1 < len(pieces) else text[last:]
            parent.insert(index + i, link)
        if after is not None:
            after.tail = head
        return head

    def _linkable_spans(self, text: str, state: _BlockState) -> list[tuple[int, int]]:
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

    def _record_ref(self, slug: str, state: _BlockState) -> None:
        """Count a [[ref]]'s link as its entity's mention, if it is the first."""
        if slug not in self.ctx.mentions:
            sentence = state.passage.sentence_at(state.walked)
            self.ctx.mentions[slug] = Mention(slug, sentence, linked=True)

    def _link(self, mention: NameMention) -> etree.Element:
        target = self.ctx.targets.get(mention.slug) or self.ctx.resolve(mention.slug)
        assert target is not None
        el = etree.Element(
            "a",
            {
                "href": target.href,
                "class": "mention",
                "data-ref": mention.slug,
                "title": target.summary,
            },
        )
        self.ctx.card_refs.add(mention.slug)
        if mention.expansion:
            abbr = etree.SubElement(el, "abbr", {"title": mention.expansion})
            abbr.text = mention.written
        else:
            el.text = mention.written
        return el


@dataclass(slots=True)
class _BlockState:
    """Where the walk of one block is: its passage, how much of it is walked, raw HTML open."""

    passage: Passage  # the block's text, with Markdown's placeholders read as nothing
    walked: int = 0  # the length of the block's text walked so far
    raw_depth: int = 0  # raw inline HTML elements open here: no names are linked inside


def _plain(el: etree.Element) -> str:
    return "".join(el.itertext())


def _clean(text: str) -> str:
    """Drop Markdown's placeholders and restore escaped characters."""
    text = HTML_PLACEHOLDER_RE.sub("", text)
    text = re.sub(f"{STX}(\\d+){ETX}", lambda m: chr(int(m.group(1))), text)
    return INLINE_PLACEHOLDER_RE.sub("", text)


def sentence_at(text: str, offset: int) -> str:
    """Return the sentence of text that contains offset, trimmed to a readable length."""
    return Passage(text, _clean).sentence_at(offset)


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
        self._ctx: ConvertContext | None = None

    @property
    def ctx(self) -> ConvertContext:
        """The context of the conversion under way; between conversions there is none."""
        if self._ctx is None:
            raise RuntimeError("the mention extension ran outside MentionExtension.converting()")
        return self._ctx

    @contextmanager
    def converting(self, ctx: ConvertContext) -> Iterator[None]:
        """Give the processors ctx for one conversion, and take it back however that ends."""
        if self._ctx is not None:
            raise RuntimeError("a conversion started while another was under way")
        self._ctx = ctx
        try:
            yield
        finally:
            self._ctx = None

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
