"""The converter lends each conversion's context to its extension for that conversion only."""

from __future__ import annotations

import pytest

from explainer.link.convert import Converter
from explainer.link.markup import ConvertContext, Target


def no_target(slug: str) -> Target | None:
    return None


def test_the_extension_has_no_context_between_conversions() -> None:
    converter = Converter()
    with pytest.raises(RuntimeError, match="outside"):
        converter.ext.ctx  # noqa: B018 - reading it is the test
    converter.convert("Text with [[nowhere]].", ConvertContext(resolve=no_target))
    with pytest.raises(RuntimeError, match="outside"):
        converter.ext.ctx  # noqa: B018


def test_a_conversion_cannot_start_inside_another() -> None:
    converter = Converter()
    outer = ConvertContext(resolve=no_target)
    with converter.ext.converting(outer), pytest.raises(RuntimeError, match="under way"):
        converter.convert("Inner.", ConvertContext(resolve=no_target))
    assert outer.problems == []


def test_a_conversion_that_fails_leaves_no_context_behind() -> None:
    def broken(slug: str) -> Target | None:
        raise ValueError("a bug")

    converter = Converter()
    with pytest.raises(ValueError, match="a bug"):
        converter.convert("[[x]]", ConvertContext(resolve=broken))
    ctx = ConvertContext(resolve=no_target)
    converter.convert("[[y]]", ctx)
    assert [p.message for p in ctx.problems] == [
        "broken link [[y]]: no article, person or topic has that slug"
    ]
