"""Small server-rendered SVG bar charts: geometry computed here, drawn by a template."""

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 300
HEIGHT = 90
GAP = 1


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    negative: bool = False


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    baseline: float
    summary: str


def bar_chart(
    *, title: str, points: list[tuple[str, Decimal | int | None]], summary: str, unit: str = ""
) -> BarChart:
    """Bars scaled to the largest magnitude; negative values hang below a baseline."""
    values = [Decimal(value or 0) for _, value in points]
    top = max([v for v in values if v > 0], default=Decimal(0))
    bottom = -min([v for v in values if v < 0], default=Decimal(0))
    span = (top + bottom) or Decimal(1)
    baseline = float(Decimal(HEIGHT) * top / span)
    step = WIDTH / max(len(points), 1)
    bars = []
    for index, ((label, raw), value) in enumerate(zip(points, values, strict=True)):
        height = float(Decimal(HEIGHT) * abs(value) / span)
        y = baseline - height if value >= 0 else baseline
        shown = "—" if raw is None else f"{raw}{unit}"
        bars.append(
            Bar(
                x=round(index * step, 2),
                y=round(y, 2),
                width=round(max(step - GAP, 1), 2),
                height=round(height, 2),
                label=f"{label}: {shown}",
                negative=value < 0,
            )
        )
    return BarChart(title, bars, WIDTH, HEIGHT, round(baseline, 2), summary)
