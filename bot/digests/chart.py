"""The SLT summary's chart: how each standard was last rated across the cohort, as a PNG.

Standards are named by their short names (bot/core/standards.py) and counted in whole teachers: the axis
never shows a fraction of a teacher, however small the cohort.
"""

from __future__ import annotations

import io
import threading
from typing import Any

from bot.core.standards import standard_short_name
from bot.core.vocabulary import RATING_LABEL
from storage.observations import Rating

ORDER = (Rating.FULLY, Rating.PARTLY, Rating.NOT_DEMONSTRATED, Rating.NOT_APPLICABLE)
COLOURS = {
    Rating.FULLY: "#2e7d32",
    Rating.PARTLY: "#f9a825",
    Rating.NOT_DEMONSTRATED: "#c62828",
    Rating.NOT_APPLICABLE: "#9e9e9e",
}


_DRAWING = threading.Lock()


def standard_order(key: str) -> tuple[int, str]:
    """Standards 1–8 in number order, then Part 2, then anything else by name."""
    number = key.removeprefix("standard_")
    if number.isdigit():
        return int(number), ""
    return (90, "") if key == "part_two" else (99, key)


def chart_labels(distribution: dict[str, dict[str, int]]) -> list[str]:
    """The chart's standards, top to bottom, by short name."""
    return [standard_short_name(key) for key in sorted(distribution, key=standard_order)]


def ratings_figure(
    distribution: dict[str, dict[str, int]], title: str, counted: str = "Teachers (each one's latest observation)"
) -> Any:
    """A horizontal stacked bar per standard (a matplotlib Figure, drawn with Agg: no screen on a server)."""
    from matplotlib.figure import Figure  # no pyplot: its figure manager is shared by every thread
    from matplotlib.ticker import MaxNLocator

    keys = sorted(distribution, key=standard_order)
    names = chart_labels(distribution)
    figure = Figure(figsize=(8, 0.45 * len(keys) + 2.2), dpi=110, layout="constrained")
    axes = figure.subplots()
    left = [0] * len(keys)
    for rating in ORDER:
        counts = [distribution[k].get(rating.value, 0) for k in keys]
        axes.barh(names, counts, left=left, color=COLOURS[rating], label=RATING_LABEL[rating])
        left = [a + b for a, b in zip(left, counts, strict=True)]
    axes.invert_yaxis()
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole teachers only
    axes.set_xlim(0, max([*left, 1]))
    axes.set_xlabel(counted)
    axes.set_title(title)
    figure.legend(loc="outside lower center", ncol=4, fontsize=8, frameon=False)
    return figure


def ratings_chart(
    distribution: dict[str, dict[str, int]], title: str, counted: str = "Teachers (each one's latest observation)"
) -> bytes:
    """The chart as PNG bytes; the same numbers appear as text beside it in Slack.

    Matplotlib is not thread-safe (its font and text caches are shared), and the digest job delivers several
    workspaces at once: one chart is drawn at a time."""
    with _DRAWING:
        figure = ratings_figure(distribution, title, counted)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
