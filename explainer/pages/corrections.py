"""Every correction on the site, for the /corrections/ page (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ..content.model import Article, Correction


@dataclass(frozen=True, slots=True)
class CorrectionEntry:
    """A correction with the story it corrects."""

    article: Article
    correction: Correction


def site_corrections(articles: Iterable[Article]) -> tuple[CorrectionEntry, ...]:
    """List every correction of the given articles, newest first, with a full tie-break."""
    found = [
        (c.date, a.sort_key, i, CorrectionEntry(a, c))
        for a in articles
        for i, c in enumerate(a.corrections)
    ]
    found.sort(key=lambda item: (-item[0].toordinal(), item[1], item[2]))
    return tuple(entry for *_, entry in found)


def last_corrected(entries: tuple[CorrectionEntry, ...]) -> dt.date | None:
    """Return the date of the newest correction, if there is one."""
    return entries[0].correction.date if entries else None
