"""Bar charts drawn as SVG on the server: no JavaScript, no style attributes, readable at 360 px."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH = 340  # fits a 360 px phone with the page's padding; scales down with viewBox
LABEL_WIDTH = 96
ROW = 30
BAR = 18


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value and the text printed after it."""

    label: str
    value: float
    text: str


def bar_chart(bars: list[Bar], title: str, maximum: float | None = None) -> str:
    """A horizontal bar chart as an accessible SVG string (values escaped)."""
    top = max([maximum or 0.0, *(bar.value for bar in bars)]) or 1.0
    span = WIDTH - LABEL_WIDTH - 64
    height = ROW * max(len(bars), 1) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-label="{escape(title, {chr(34): "&quot;"})}">',
        f"<title>{escape(title)}</title>",
    ]
    if not bars:
        parts.append('<text x="0" y="20" font-size="13" fill="#5b6470">Sin datos</text>')
    for index, bar in enumerate(bars):
        y = 4 + index * ROW
        length = round(span * max(bar.value, 0) / top, 1)
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR - 4}" font-size="12" text-anchor="end" '
            f'fill="#1b1f24">{escape(bar.label[:16])}</text>'
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{span}" height="{BAR}" rx="3" fill="#e7ecf2"/>'
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR}" rx="3" '
            f'fill="#0b5cab"><title>{escape(bar.label)}: {escape(bar.text)}</title></rect>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + span + 6}" y="{y + BAR - 4}" font-size="12" '
            f'fill="#1b1f24">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
