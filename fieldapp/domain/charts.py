"""Bar charts drawn as SVG on the server: no JavaScript, no style attributes, readable at 360 px.

Each bar takes two lines: its label across the whole width, then the bar with its value after it,
so neither a long label ("Garantía provincias") nor a long value ("12 hechos, 3 fallidos") is cut
at the chart's edge. A bar with nothing to count says so instead of drawing 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH = 340  # fits a 360 px phone with the page's padding; scales down with viewBox
ROW = 44
BAR = 16
FONT = 12
LABEL_X = 2  # a glyph like "T" overhangs its origin a little: keep it inside the box
CHAR_WIDTH = 7.2  # a generous average advance of a 12 px sans-serif character
MAX_LABEL_CHARS = int(WIDTH / CHAR_WIDTH) - 1
EMPTY_TEXT = "#5b6470"


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value and the text printed after it (`empty`: no data)."""

    label: str
    value: float
    text: str
    empty: bool = False


def text_width(text: str) -> float:
    """A conservative estimate of the width of `text` at the chart's font size."""
    return len(text) * CHAR_WIDTH


def _fit(label: str) -> str:
    """The label whole, or shortened with an ellipsis only if it would pass the chart's width."""
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def bar_chart(bars: list[Bar], title: str, maximum: float | None = None) -> str:
    """A horizontal bar chart as an accessible SVG string (values escaped)."""
    top = max([maximum or 0.0, *(bar.value for bar in bars)]) or 1.0
    value_room = max([text_width(bar.text) for bar in bars] or [0.0]) + 8
    span = round(WIDTH - value_room, 1)
    height = ROW * max(len(bars), 1) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-label="{escape(title, {chr(34): "&quot;"})}">',
        f"<title>{escape(title)}</title>",
    ]
    if not bars:
        parts.append(f'<text x="0" y="20" font-size="13" fill="{EMPTY_TEXT}">Sin datos</text>')
    for index, bar in enumerate(bars):
        y = index * ROW
        bar_y = y + FONT + 6
        length = 0.0 if bar.empty else round(span * max(bar.value, 0) / top, 1)
        parts.append(
            f'<text x="{LABEL_X}" y="{y + FONT}" font-size="{FONT}" fill="#1b1f24" '
            f'data-chart="label">{escape(_fit(bar.label))}</text>'
        )
        parts.append(
            f'<rect x="0" y="{bar_y}" width="{span}" height="{BAR}" rx="3" fill="#e7ecf2"/>'
        )
        if not bar.empty:
            parts.append(
                f'<rect x="0" y="{bar_y}" width="{length}" height="{BAR}" rx="3" '
                f'fill="#0b5cab"><title>{escape(bar.label)}: {escape(bar.text)}</title></rect>'
            )
        colour = EMPTY_TEXT if bar.empty else "#1b1f24"
        parts.append(
            f'<text x="{span + 6}" y="{bar_y + BAR - 4}" font-size="{FONT}" fill="{colour}" '
            f'data-chart="value">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
