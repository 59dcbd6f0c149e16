"""Leaving out inline patterns that cannot match never changes the HTML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from explainer.content.model import Person, Role
from explainer.link.convert import Converter
from explainer.link.linking import build_name_index
from explainer.link.markup import INLINE_TRIGGERS, ConvertContext, Target

MAY = Person(
    slug="theresa-may",
    name="Theresa May",
    summary="Prime Minister.",
    src_path=Path("content/people/theresa-may.md"),
    aliases=("Mrs May",),
    roles=(
        Role(
            title="Prime Minister",
            start=dt.date(2016, 7, 13),
            end=dt.date(2019, 7, 24),
            aliases=("the Prime Minister",),
        ),
    ),
)
TARGET = Target("theresa-may", "../../people/theresa-may/index.html", "Theresa May", "PM", "person")

PIECES = [
    "Theresa May", "Mrs May", "the Prime Minister", "said", "word", " ", "  ", "\n", "\n\n",
    "\t", "\r\n", "\r", "*", "**", "_", "__", "`", "``", "\\", "[", "]", "(", ")", "![",
    "[[theresa-may]]", "[[theresa-may|her]]", "[[nobody]]", "[^1]", "[^1]: A note.\n",
    "<b>", "</b>", "<br>", "<https://example.org>", "<a@b.org>", "&amp;", "&copy;", "&",
    "http://example.org", "[x](https://example.org)", "[x][r]", "\n[r]: https://e.org\n",
    "# ", "## Heading\n", "- ", "1. ", "> ", "    code\n", "```\ncode\n```\n", "| a | b |\n",
    "|---|---|\n", "{: .c }", "[TOC]", "  \n", "May", "15 May", "It", ".", "'", "\u2019",
]


def convert(converter: Converter, text: str) -> tuple[str, dict[str, object], list[str]]:
    ctx = ConvertContext(
        resolve={"theresa-may": TARGET}.get,
        names=build_name_index([MAY], []),
        day=dt.date(2017, 11, 15),
        targets={"theresa-may": TARGET},
    )
    html = converter.convert(text, ctx)
    return html, {k: (m.excerpt) for k, m in ctx.mentions.items()}, [p.message for p in ctx.problems]


PRUNED = Converter()
FULL = Converter(prune=False)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
@example("a  \nb")
@example("a\t\nb")
@example("a \t\r\nb")
@example("*a* and _b_")
@example("<span>x</span> &amp; `c`")
@example("![img](x.png) [^n]\n\n[^n]: note")
def test_pruned_patterns_give_the_same_html(text):
    assert convert(PRUNED, text) == convert(FULL, text)


def test_every_trigger_names_a_registered_pattern():
    names = {item.name for item in FULL.md.inlinePatterns._priority}
    assert set(INLINE_TRIGGERS) <= names


def test_a_plain_text_leaves_out_the_patterns_it_cannot_use():
    converter = Converter()
    convert(converter, "Plain words with [[theresa-may]] in them.\n")
    active = {item.name for item in converter.md.inlinePatterns._priority}
    assert "explainer-ref" in active and "link" in active
    assert not active & {"backtick", "html", "entity", "em_strong", "linebreak", "autolink"}
    convert(converter, "Now *emphasis* and `code`.\n")
    active = {item.name for item in converter.md.inlinePatterns._priority}
    assert {"em_strong", "backtick"} <= active
