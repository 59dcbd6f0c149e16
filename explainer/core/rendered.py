"""A page as rendered, ready to write: the value the renderer hands the writer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """One output file: where it goes and its bytes."""

    url_path: str
    out_path: str
    content: bytes
