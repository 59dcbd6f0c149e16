"""Read running text as a reader does: its quotations, and the date a sentence is set on."""

from __future__ import annotations

import re
from bisect import bisect_right

QUOTE_MARK_RE = re.compile('[“”«»‘’"]')


def quotations(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) of each quotation in text, quote marks included, in order."""
    spans: list[tuple[int, int]] = []
    opened: list[int] = []
    straight = -1
    for m in QUOTE_MARK_RE.finditer(text):
        i, ch = m.start(), m.group()
        if ch in "“«" or (ch == "‘" and (i == 0 or not text[i - 1].isalnum())):
            opened.append(i)
        elif (
            ch in "”»" or (ch == "’" and (i + 1 == len(text) or not text[i + 1].isalnum()))
        ) and opened:
            start = opened.pop()
            if not opened:
                spans.append((start, i + 1))
        elif ch == '"':
            if straight < 0:
                straight = i
            else:
                spans.append((straight, i + 1))
                straight = -1
    if opened:  # a quotation still open at the end of the text
        spans.append((opened[0], len(text)))
    if straight >= 0:
        spans.append((straight, len(text)))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):  # "straight" quotes inside “curly” ones are one quotation
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def quotation_at(spans: list[tuple[int, int]], pos: int) -> tuple[int, int] | None:
    """Return the quotation of spans (as quotations gives them) that contains pos."""
    i = bisect_right(spans, pos, key=lambda span: span[0])
    if i and spans[i - 1][0] <= pos < spans[i - 1][1]:
        return spans[i - 1]
    return None
