"""Keep only safe HTML in converted bodies: allowed elements, attributes and URLs (nh3).

Authors may write raw HTML in Markdown, and Markdown itself passes `javascript:` links
and attribute lists (`{: onclick=... }`) straight through, so every converted body goes
through one policy:

- A body that is already made only of allowed elements, attributes and addresses, in
  plain well-formed markup, is kept byte for byte. `safe_document_re()` is that test: a
  pattern that matches a whole document only when every tag in it is one the sanitiser
  keeps unchanged, so skipping the sanitiser then changes nothing.
- Anything else is cleaned by nh3 (the ammonia HTML sanitiser, which parses the way
  browsers do), and each removal is reported to the author as a warning.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser

import markdown
import nh3
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from .markup import RESERVED_ID_PREFIXES, RESERVED_IDS, VOID_TAGS, MentionExtension
from .names import Problem

ALLOWED_TAGS = frozenset(
    [
        "a",
        "abbr",
        "aside",
        "b",
        "bdi",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "section",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
        "var",
        "wbr",
    ]
)
# Removed together with everything inside them (their text is not content either).
REMOVED_WITH_CONTENT = frozenset(
    [
        "script",
        "style",
        "object",
        "embed",
        "applet",
        "iframe",
        "frame",
        "frameset",
        "noscript",
        "noembed",
        "noframes",
        "template",
        "svg",
        "math",
        "textarea",
        "select",
        "title",
    ]
)
GLOBAL_ATTRIBUTES = frozenset(["class", "id", "title", "lang", "dir"])
TAG_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset(["href", "rel", "hreflang", "data-ref"]),
    "img": frozenset(["src", "alt", "width", "height", "loading", "decoding"]),
    "td": frozenset(["colspan", "rowspan", "headers", "style"]),
    "th": frozenset(["colspan", "rowspan", "headers", "scope", "abbr", "style"]),
    "col": frozenset(["span"]),
    "colgroup": frozenset(["span"]),
    "ol": frozenset(["start", "reversed", "type"]),
    "li": frozenset(["value"]),
    "time": frozenset(["datetime"]),
    "details": frozenset(["open"]),
    "iframe": frozenset(
        [
            "src",
            "width",
            "height",
            "allow",
            "allowfullscreen",
            "frameborder",
            "loading",
            "referrerpolicy",
            "sandbox",
        ]
    ),
}
URL_SCHEMES = frozenset(["http", "https", "mailto"])
COMMON_TAGS = ("a", "p", "li", "em", "strong", "span", "abbr", "sup", "h2", "h3", "ul", "ol")
# What a cleaner that removes nothing of note keeps, to tell removals from respelling.
KEPT_SCHEMES = URL_SCHEMES | {"javascript", "vbscript", "data", "ftp", "tel", "file", "blob"}
TAG_NAME_RE = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)")
URL_SCHEME_RE = re.compile(
    r"""(?:href|src)[ \t\n\r\f]*=[ \t\n\r\f]*["']?[ \t\n\r\f]*([a-zA-Z][a-zA-Z0-9+.-]*):""",
    re.IGNORECASE,
)
URL_ATTRIBUTES = frozenset(["href", "src"])
STYLE_PROPERTIES = frozenset(["text-align"])  # Markdown tables align columns with it
# Footnote ids (fn:1, fnref:1) are reserved from headings but made by the footnotes.
ID_PREFIXES = tuple(p for p in RESERVED_ID_PREFIXES if p not in ("fn:", "fnref:"))
EMBED_SRC_RE = re.compile(r"https://([a-z0-9.-]+)(?:[/?#][^\s\\]*)?\Z", re.IGNORECASE)
SCHEME_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
C0_AND_SPACE = "".join(chr(c) for c in range(0x21))  # what browsers strip from addresses
EMPTY_IFRAME_RE = re.compile(r"<iframe(?![^>]*\ssrc=)[^>]*>.*?</iframe>", re.DOTALL)
TAG_REASONS = {
    "script": "scripts are not allowed in content",
    "noscript": "scripts are not allowed in content",
    "style": "style sheets are not allowed in content; the site's stylesheet styles pages",
    "link": "style sheets are not allowed in content; the site's stylesheet styles pages",
    "meta": "page settings cannot be changed from content",
    "base": "page settings cannot be changed from content",
    "object": "plugins are not allowed in content",
    "embed": "plugins are not allowed in content",
    "applet": "plugins are not allowed in content",
    "form": "forms are not allowed in content",
    "input": "forms are not allowed in content",
    "button": "forms are not allowed in content",
    "textarea": "forms are not allowed in content",
    "select": "forms are not allowed in content",
    "svg": "inline SVG is not allowed; put the SVG in a file and show it with <img>",
    "math": "MathML is not allowed in content",
}
MAX_SHOWN = 60


def safe_document_re() -> re.Pattern[str]:
    """Match a whole document made only of text and tags the sanitiser keeps as they are.

    Only double-quoted attribute values, lowercase names and plain comments, so the
    document cannot be read two ways. No element whose content the HTML parser treats
    as raw text is allowed here, and addresses must be plainly http(s), mailto or
    relative (nothing before the first '/', '?' or '#' that could be a scheme).
    """
    space = r"[ \t\n\r\f]"
    url = (
        r'(?:(?:[hH][tT][tT][pP][sS]?://|[mM][aA][iI][lL][tT][oO]:)[^"\x00-\x20\x7f]*'
        r'|[^":/?#&\x00-\x20\x7f]*(?:[/?#][^"\x00-\x20\x7f]*)?)'
    )
    reserved = "|".join(re.escape(i) for i in sorted(RESERVED_IDS))
    prefixes = "|".join(re.escape(p) for p in ID_PREFIXES)
    values = {
        "href": url,
        "src": url,
        "id": rf'(?!(?:{reserved})"|{prefixes})[^"&]*',
        "style": r"text-align: (?:left|right|center);",
    }
    any_value = '[^"]*'
    tags = []
    # The most frequent first, for speed; the lookahead after the name keeps <abbr> from
    # being read as <a> followed by 'bbr'.
    order = sorted(
        ALLOWED_TAGS,
        key=lambda t: (t not in COMMON_TAGS, COMMON_TAGS.index(t) if t in COMMON_TAGS else 0, t),
    )
    for tag in order:
        names = sorted(GLOBAL_ATTRIBUTES | TAG_ATTRIBUTES.get(tag, frozenset()))
        attrs = "|".join(f'{re.escape(n)}="{values.get(n, any_value)}"' for n in names)
        tags.append(f"{tag}(?:{space}+(?:{attrs}))*+")
    ends = "|".join(order)
    tag = rf"<(?:/(?:{ends})|(?:{'|'.join(tags)}))(?={space}|/|>){space}*/?>"
    comment = r"<!--(?![->])(?:[^-\x00]|-(?!-))*+-->"  # no '--' inside: read one way only
    return re.compile(rf"(?:[^<\x00]++|{tag}|{comment})*+")


@dataclass(frozen=True, slots=True)
class Removal:
    """Something the sanitiser took out, why, and text that may find it in the source."""

    message: str
    needles: tuple[str, ...]


def _short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= MAX_SHOWN else value[: MAX_SHOWN - 1] + "…"


def is_reserved_id(value: str) -> bool:
    """Return whether an id is one the page templates use."""
    return value in RESERVED_IDS or value.startswith(ID_PREFIXES)


def url_scheme(value: str) -> str:
    """Return an address's scheme as a browser reads it ('' for a relative address)."""
    cleaned = re.sub(r"[\t\n\r]", "", value.strip(C0_AND_SPACE))
    m = SCHEME_RE.match(cleaned)
    return m.group(1).lower() if m else ""


class Sanitizer:
    """Clean converted HTML under the site's policy; holds a prepared nh3 cleaner."""

    def __init__(self, embed_hosts: Iterable[str] = ()) -> None:
        self.embed_hosts = tuple(embed_hosts)
        self.safe_document = safe_document_re()
        self.tags = ALLOWED_TAGS | ({"iframe"} if self.embed_hosts else set())
        attributes = {"*": set(GLOBAL_ATTRIBUTES)}
        attributes.update({t: set(a) for t, a in TAG_ATTRIBUTES.items() if t in self.tags})
        self.cleaner = nh3.Cleaner(
            tags=set(self.tags),
            clean_content_tags=set(REMOVED_WITH_CONTENT - self.tags),
            attributes=attributes,
            attribute_filter=self._filter,
            strip_comments=False,
            link_rel=None,
            url_schemes=set(URL_SCHEMES),
            filter_style_properties=set(STYLE_PROPERTIES),
        )
        self.known_tags = frozenset(self.tags | REMOVED_WITH_CONTENT | set(TAG_REASONS))
        self.keep_all = nh3.Cleaner(
            tags=set(self.known_tags),
            clean_content_tags=set(),
            attributes={},
            generic_attribute_prefixes=set(string.ascii_lowercase),
            strip_comments=False,
            link_rel=None,
            url_schemes=set(KEPT_SCHEMES),
        )

    def embed_allowed(self, src: str) -> bool:
        """Return whether an iframe may show src: https on a host listed in embed_hosts."""
        m = EMBED_SRC_RE.match(src)
        return m is not None and m.group(1).lower() in self.embed_hosts

    def _ordinary(self, html: str) -> bool:
        """Return whether keep_all would keep every tag and address html names."""
        tags = {t.lower() for t in TAG_NAME_RE.findall(html)}
        schemes = {s.lower() for s in URL_SCHEME_RE.findall(html)}
        return tags <= self.known_tags and schemes <= KEPT_SCHEMES

    def _filter(self, tag: str, attribute: str, value: str) -> str | None:
        if attribute == "id" and is_reserved_id(value):
            return None
        if tag == "iframe" and attribute == "src" and not self.embed_allowed(value):
            return None
        return value

    def clean(self, html: str) -> tuple[str, list[Removal]]:
        """Return html with everything unsafe removed, and what was removed."""
        if self.safe_document.fullmatch(html):
            return html, []
        raw = self.cleaner.clean(html)
        cleaned = raw.replace("&nbsp;", "\xa0")
        if self.embed_hosts:
            cleaned = EMPTY_IFRAME_RE.sub("", cleaned)
        if cleaned == html:
            return html, []
        if self._ordinary(html) and self.keep_all.clean(html) == raw:
            return cleaned, []  # nothing removed: only the spelling of the markup changed
        inspector = _Inspector(self)
        inspector.feed(html)
        inspector.close()
        removals = list(inspector.found.values())
        if not removals:
            removals = _unexplained(inspector, _items(cleaned))
        return cleaned, removals


class _Items(HTMLParser):
    """Count a document's elements (with attributes) and collect its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: Counter[tuple[str, tuple[tuple[str, str], ...]]] = Counter()
        self.raw: dict[tuple[str, tuple[tuple[str, str], ...]], str] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = []
        for name, value in attrs:
            value = value or ""
            if name == "style":
                value = "".join(value.split()).rstrip(";")
            values.append((name, value))
        item = (tag, tuple(sorted(values)))
        self.items[item] += 1
        self.raw.setdefault(item, self.get_starttag_text() or f"<{tag}")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _items(html: str) -> _Items:
    parser = _Items()
    parser.feed(html)
    parser.close()
    return parser


class _Inspector(_Items):
    """Name what the policy removes from a document, with the reason (for warnings)."""

    def __init__(self, sanitizer: Sanitizer) -> None:
        super().__init__()
        self.sanitizer = sanitizer
        self.found: dict[str, Removal] = {}
        self.dropped: list[str] = []  # open elements removed with their content

    def _add(self, message: str, *needles: str) -> None:
        self.found.setdefault(message, Removal(message, tuple(n for n in needles if n)))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        super().handle_starttag(tag, attrs)
        if self.dropped:
            if tag not in VOID_TAGS:
                self.dropped.append(tag)
            return
        raw = self.get_starttag_text() or ""
        if tag not in self.sanitizer.tags:
            if tag in REMOVED_WITH_CONTENT:
                reason = TAG_REASONS.get(tag) or self._embed_reason(tag)
                src = next((v or "" for k, v in attrs if k == "src"), "")
                shown = f'<iframe src="{_short(src)}">' if tag == "iframe" else f"<{tag}>"
                self._add(f"removed {shown} and everything in it: {reason}", raw, f"<{tag}")
                if tag not in VOID_TAGS:
                    self.dropped.append(tag)
            else:
                reason = TAG_REASONS.get(tag, f"<{tag}> is not an allowed HTML element")
                what = f"<{tag}>" if tag in VOID_TAGS else f"the <{tag}> tag (its text is kept)"
                self._add(f"removed {what}: {reason}", raw, f"<{tag}")
            return
        if tag == "iframe":
            src = next((v or "" for k, v in attrs if k == "src"), "")
            if not self.sanitizer.embed_allowed(src):
                self._add(
                    f'removed <iframe src="{_short(src)}"> and everything in it: '
                    + self._embed_reason(tag),
                    raw,
                    src,
                    "<iframe",
                )
                self.dropped.append(tag)
                return
        for name, value in attrs:
            self._attribute(tag, name, value or "", raw)

    def handle_endtag(self, tag: str) -> None:
        if self.dropped and tag in self.dropped:
            while self.dropped.pop() != tag:
                pass

    def handle_decl(self, decl: str) -> None:
        self._add(f"removed <!{_short(decl)}>: declarations do not belong in content", decl)

    def _embed_reason(self, tag: str) -> str:
        hosts = self.sanitizer.embed_hosts
        if tag != "iframe":
            return f"<{tag}> is not allowed in content"
        if not hosts:
            return (
                "embedding is off; to allow it, list the host (like "
                "www.youtube-nocookie.com) under embed_hosts in site.yaml"
            )
        return (
            f"only https pages on the hosts in embed_hosts in site.yaml "
            f"({', '.join(hosts)}) may be embedded"
        )

    def _attribute(self, tag: str, name: str, value: str, raw: str) -> None:
        shown = f'{name}="{_short(value)}"'
        allowed = name in GLOBAL_ATTRIBUTES or name in TAG_ATTRIBUTES.get(tag, ())
        if name.startswith("on"):
            reason = "event handler attributes run scripts"
        elif not allowed and name == "style":
            reason = "inline styles are not allowed; the site's stylesheet styles pages"
        elif not allowed:
            reason = f"{name} is not an allowed attribute of <{tag}>"
        elif name == "id" and is_reserved_id(value):
            reason = "the page itself uses that id"
        elif name in URL_ATTRIBUTES and url_scheme(value) not in ("", *URL_SCHEMES):
            scheme = url_scheme(value)
            danger = "runs scripts" if scheme in ("javascript", "vbscript") else "is not allowed"
            kinds = "http(s), mailto or relative" if name == "href" else "http(s) or relative"
            reason = f"a {scheme}: address {danger}; addresses here must be {kinds}"
        elif name == "style":
            props = [p.split(":", 1)[0].strip().lower() for p in value.split(";") if p.strip()]
            if all(p in STYLE_PROPERTIES for p in props):
                return
            reason = "only text-align may be set in a table cell's style"
        else:
            return
        if name in URL_ATTRIBUTES:
            self._add(f"removed {shown} from <{tag}>: {reason}", raw, value, f"{name}=")
        else:
            self._add(f"removed {shown} from <{tag}>: {reason}", raw, f"{name}=", value)


def _unexplained(before: _Items, after: _Items) -> list[Removal]:
    """Report a change the policy does not explain (markup the parsers read differently)."""
    lost = before.items - after.items
    if lost:
        item = next(iter(lost))
        raw = before.raw[item]
        return [
            Removal(
                f"changed the HTML near {_short(raw)}: it is malformed or reads differently "
                "in browsers; check that its tags and quotes are closed",
                (raw, f"<{item[0]}"),
            )
        ]
    if " ".join("".join(before.text).split()) != " ".join("".join(after.text).split()):
        return [
            Removal(
                "changed the text of some HTML: it is malformed or reads differently in "
                "browsers; check that its tags and quotes are closed",
                (),
            )
        ]
    return []


def find_needle(source: str, needles: Iterable[str]) -> str:
    """Return text of source that locates a removal: the first needle found, any case."""
    for needle in needles:
        if needle and needle in source:
            return needle
    lowered = source.lower()
    for needle in needles:
        index = lowered.find(needle.lower()) if needle else -1
        if index >= 0:
            return source[index : index + len(needle)]
    return ""


class SanitizeExtension(Extension):
    """Sanitise every converted text; report removals as warnings of the conversion."""

    def __init__(self, owner: MentionExtension, embed_hosts: Iterable[str] = ()) -> None:
        super().__init__()
        self.owner = owner
        self.sanitizer = Sanitizer(embed_hosts)
        self.lines: list[str] = []

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API name
        md.preprocessors.register(_KeepSource(self, md), "explainer-keep-source", 1000)
        md.postprocessors.register(_Sanitize(self, md), "explainer-sanitize", -100)


class _KeepSource(Preprocessor):
    """Remember the source lines, to say where a removed piece of HTML was written."""

    def __init__(self, ext: SanitizeExtension, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        self.ext.lines = list(lines)
        return lines


class _Sanitize(Postprocessor):
    """Run last, on the finished HTML, so raw HTML and Markdown output are both covered."""

    def __init__(self, ext: SanitizeExtension, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, text: str) -> str:
        cleaned, removals = self.ext.sanitizer.clean(text)
        if removals:
            source = "\n".join(self.ext.lines)
            problems = self.ext.owner.ctx.problems
            for removal in removals:
                needle = find_needle(source, removal.needles)
                problems.append(Problem("warning", removal.message, needle))
        return cleaned
