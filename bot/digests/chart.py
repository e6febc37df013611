"""The SLT summary's chart: how each standard was last rated across the cohort, as a PNG."""

from __future__ import annotations

import io

from bot.core.vocabulary import RATING_LABEL
from storage.observations import Rating

ORDER = (Rating.FULLY, Rating.PARTLY, Rating.NOT_DEMONSTRATED, Rating.NOT_APPLICABLE)
COLOURS = {
    Rating.FULLY: "#2e7d32",
    Rating.PARTLY: "#f9a825",
    Rating.NOT_DEMONSTRATED: "#c62828",
    Rating.NOT_APPLICABLE: "#9e9e9e",
}


def ratings_chart(distribution: dict[str, dict[str, int]], labels: dict[str, str], title: str) -> bytes:
    """A horizontal stacked bar per standard; the same numbers appear as text beside it in Slack."""
    import matplotlib

    matplotlib.use("Agg")  # no screen on a server
    from matplotlib import pyplot as plt

    keys = sorted(distribution, key=lambda k: labels.get(k, k))
    figure, axes = plt.subplots(figsize=(8, 0.45 * len(keys) + 1.6), dpi=110)
    try:
        left = [0] * len(keys)
        for rating in ORDER:
            counts = [distribution[k].get(rating.value, 0) for k in keys]
            axes.barh(
                [labels.get(k, k) for k in keys], counts, left=left, color=COLOURS[rating], label=RATING_LABEL[rating]
            )
            left = [a + b for a, b in zip(left, counts, strict=True)]
        axes.invert_yaxis()
        axes.set_xlabel("Teachers (latest observation)")
        axes.set_title(title)
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, -0.45 if len(keys) < 5 else -0.25), ncol=4, fontsize=8)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
