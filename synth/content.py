"""Deterministic content of synthetic Vietnamese administrative documents.

A document is a list of logical :class:`Line` objects (style + alignment) plus
its title.  Long lines (prose paragraphs) are wrapped by the renderer, so the
ground truth of a rendered page is built from the *physical* lines it drew;
:attr:`Document.text` is the logical version (identical after collapsing
whitespace).
"""

from __future__ import annotations

import dataclasses
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Style = Literal["title", "bold", "normal"]
#: ``right_half`` centres the line inside the right half of the text block, the
#: way the place-and-date line and the signature block are set on Vietnamese forms.
Align = Literal["left", "center", "right_half"]

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Line:
    """One logical line; ``gap`` is extra space before it, in line heights."""

    text: str
    style: Style = "normal"
    align: Align = "left"
    gap: float = 0.0
    rule_below: bool = False  # short centred rule, as under the national motto

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", nfc(self.text))


@dataclass(frozen=True)
class Document:
    kind: str
    title: str
    lines: tuple[Line, ...]

    @property
    def text(self) -> str:
        """Ground truth of the logical lines, joined by newlines, NFC."""
        return nfc("\n".join(line.text for line in self.lines))


@dataclass
class Builder:
    """Small helper that keeps the templates readable."""

    lines: list[Line] = dataclasses.field(default_factory=list)

    def add(
        self,
        text: str,
        style: Style = "normal",
        align: Align = "left",
        gap: float = 0.0,
        rule_below: bool = False,
    ) -> Builder:
        self.lines.append(Line(text, style, align, gap, rule_below))
        return self

    def motto(self, gap: float = 0.0) -> Builder:
        self.add(MOTTO[0], "bold", "center", gap)
        return self.add(MOTTO[1], "bold", "center", rule_below=True)

    def title(self, text: str, gap: float = 1.0) -> Builder:
        return self.add(text, "title", "center", gap)

    def field(self, label: str, value: str, gap: float = 0.0) -> Builder:
        return self.add(f"{label}: {value}", gap=gap)

    def para(self, text: str, gap: float = 0.0) -> Builder:
        return self.add(text, gap=gap)

    def signature(self, place_date: str, role: str, hint: str, name: str) -> Builder:
        self.add(place_date, align="right_half", gap=0.6)
        self.add(role, "bold", "right_half")
        self.add(hint, align="right_half")
        return self.add(name, "bold", "right_half", gap=2.2)

    def build(self, kind: str, title: str) -> Document:
        return Document(kind, nfc(title), tuple(self.lines))


Template = Callable[[random.Random], Document]


def _templates() -> dict[str, Template]:
    from synth import templates_civil, templates_land  # late import: they use Builder

    return {**templates_civil.TEMPLATES, **templates_land.TEMPLATES}


def kinds() -> list[str]:
    """Names of the available document kinds, in a stable order."""
    return sorted(_templates())


def make_document(rng: random.Random, kind: str | None = None) -> Document:
    """Draw one document; the kind is drawn from ``rng`` unless given."""
    table = _templates()
    name = kind if kind is not None else rng.choice(sorted(table))
    return table[name](rng)


def document_lines(seed: int, kind: str | None = None) -> tuple[list[Line], str]:
    """Lines (with style and alignment) and NFC ground truth for a seed."""
    doc = make_document(random.Random(f"content:{seed}"), kind)
    return list(doc.lines), doc.text
