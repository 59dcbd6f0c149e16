"""The Markdown converter: Python-Markdown with the mention and sanitizer extensions.

One per process: building a Markdown instance costs more than converting a body, so
each conversion reuses it, registering only the inline patterns its text can use.
"""

from __future__ import annotations

import markdown

from .markup import (
    INLINE_TRIGGERS,
    MARKDOWN_EXTENSIONS,
    ConvertContext,
    MentionExtension,
    crowded_paragraph,
    heading_id,
)
from .names import Problem
from .sanitize import SanitizeExtension


class Converter:
    """A reusable Markdown converter; one per process."""

    def __init__(self, embed_hosts: tuple[str, ...] = (), prune: bool = True) -> None:
        self.ext = MentionExtension()
        self.md = markdown.Markdown(
            extensions=[*MARKDOWN_EXTENSIONS, self.ext, SanitizeExtension(self.ext, embed_hosts)],
            extension_configs={"toc": {"slugify": heading_id}},
            output_format="html",
        )
        patterns = self.md.inlinePatterns
        self._patterns = [
            (patterns[item.name], item.name, item.priority)
            for item in patterns._priority  # type: ignore[attr-defined]  # no public accessor
        ]
        self._prune = prune
        self._active: tuple[str, ...] = tuple(name for _, name, _ in self._patterns)

    def _use_patterns_for(self, text: str) -> None:
        """Register only the inline patterns that can match somewhere in text."""
        # as Python-Markdown's whitespace normalisation will see it
        text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(self.md.tab_length)
        wanted = tuple(
            name
            for _, name, _ in self._patterns
            if name not in INLINE_TRIGGERS or any(t in text for t in INLINE_TRIGGERS[name])
        )
        if wanted == self._active:
            return
        registry = self.md.inlinePatterns
        for _, name, _ in self._patterns:
            registry.deregister(name, strict=False)
        for pattern, name, priority in self._patterns:
            if name in wanted:
                registry.register(pattern, name, priority)
        self._active = wanted

    def convert(self, text: str, ctx: ConvertContext) -> str:
        """Convert Markdown text to HTML, filling ctx with mentions and problems."""
        crowded = crowded_paragraph(text)
        if crowded is not None:
            ctx.problems.append(crowded)
            return ""
        if self._prune:
            self._use_patterns_for(text)
        try:
            # Markdown's convert() takes no per-call arguments: lend ctx for this call only.
            with self.ext.converting(ctx):
                return self.md.reset().convert(text)
        except RecursionError:
            # Markdown reads nested blocks recursively: hundreds of levels exhaust the stack.
            ctx.problems.append(
                Problem(
                    "error",
                    "lists, quotes or indented blocks are nested too deeply to convert; "
                    "flatten them",
                    "",
                )
            )
            return ""
