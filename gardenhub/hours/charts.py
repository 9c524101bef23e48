"""Bar charts as SVG geometry, drawn on the server (no JavaScript library)."""

from collections.abc import Callable
from dataclasses import dataclass

from gardenhub.i18n import format_number


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value_label: str


def bars(
    points: list[tuple[str, float | None]],
    *,
    width: int = 320,
    height: int = 140,
    value_format: Callable[[float], str] = format_number,
) -> list[Bar]:
    """One bar per point, scaled to the largest value; None draws no bar.
    `value_format` writes a value in the language being spoken."""
    if not points:
        return []
    top = max((value or 0 for _, value in points), default=0) or 1
    slot = width / len(points)
    result = []
    for index, (label, value) in enumerate(points):
        bar_height = (value or 0) / top * (height - 30)
        result.append(
            Bar(
                x=index * slot + slot * 0.15,
                y=height - 18 - bar_height,
                width=slot * 0.7,
                height=bar_height,
                label=label,
                value_label="–" if value is None else value_format(value),
            )
        )
    return result
