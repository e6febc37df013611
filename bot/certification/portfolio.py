"""The portfolio PDF: the mentor's story by standard — their reflections first, then the evidence gathered from
their logged work (counts, dates, and the short quotes they chose) — then the criteria of each level, training
and the panel's outcomes. Built with the shared renderer (bot/reports/pdf.py).

Only what the mentor wrote and chose is quoted: a mentee's notes, reflections or comments never appear here
(a record attached to a reflection is named by its kind and date, never its text).
"""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

from bot.certification.service import Progress, hours_text
from bot.reports.pdf import PdfDocument
from storage.certification import PanelOutcome

RECORD_WORDS = {"meeting": "Meeting", "observation": "Observation"}


def _span(dates: list[date]) -> str:
    if not dates:
        return ""
    first, last = dates[0], dates[-1]
    return f"{first:%-d %b %Y}" if first == last else f"{first:%-d %b %Y} – {last:%-d %b %Y}"


def filename(progress: Progress) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", progress.name.lower()).strip("-") or "mentor"
    return f"{slug}-mentor-portfolio-{progress.today:%Y-%m-%d}"


def portfolio_pdf(progress: Progress, tz: ZoneInfo, *, record_dates: dict[str, date] | None = None) -> bytes:
    """The PDF; `record_dates` gives each attached record ("meeting:12") its date, to name it."""
    scheme = progress.scheme
    doc = PdfDocument(tz, footer=f"Mentor portfolio: {progress.name}. For the mentor, lead mentors and the panel.")
    doc.title(f"Mentor portfolio: {progress.name}")
    doc.text(f"{scheme.name}. Prepared {progress.today:%-d %B %Y}.", "small")
    awarded = progress.awarded
    level_label = {lv.key: lv.label for lv in scheme.levels}
    doc.key_values(
        [
            (
                "Training",
                f"{hours_text(progress.training.hours)} of {hours_text(progress.training.target_hours)} hours",
            ),
            ("Reflections", str(len(progress.reflections))),
            (
                "Awarded",
                f"{level_label.get(awarded.level, awarded.level)}, {awarded.panel_on:%-d %B %Y}" if awarded else "",
            ),
            ("Next panel", progress.next_panel),
        ]
    )
    for standard in progress.standards:
        s = standard.standard
        doc.heading(s.name)
        if s.summary:
            doc.text(s.summary, "small")
        mine = [r for r in progress.reflections if s.key in r.standards]
        doc.subheading(f"My reflections ({len(mine)})")
        if not mine:
            doc.none()
        for reflection in mine:
            doc.text(f"{reflection.written_on:%-d %B %Y}", "small")
            doc.text(reflection.text)
            if reflection.quote:
                doc.text(f"“{reflection.quote}”")
            if reflection.records:
                named = []
                for ref in reflection.records:
                    kind, _, _ = ref.partition(":")
                    on = (record_dates or {}).get(ref)
                    named.append(f"{RECORD_WORDS.get(kind, kind)}{f' of {on:%-d %b %Y}' if on else ''}")
                doc.text("Records: " + "; ".join(named), "small")
            if reflection.comment:
                doc.text(f"Lead mentor's comment: {reflection.comment}", "small")
        doc.subheading("Evidence gathered from my mentoring")
        if not standard.evidence:
            doc.none()
        else:
            doc.table(
                ["record", "count", "when"],
                [[g.label, str(g.count), _span(g.dates)] for g in standard.evidence],
                widths=[100, 20, 54],
            )
    doc.heading("Criteria")
    for level in progress.levels:
        doc.subheading(f"{level.level.label}: {level.met} of {len(level.criteria)} met")
        rows = []
        for c in level.criteria:
            detail = c.detail + (f" — {c.tick.note}" if c.tick is not None and c.tick.note else "")
            rows.append(["yes" if c.met else "not yet", c.criterion.label, detail])
        doc.table(["met", "criterion", "evidence"], rows, widths=[16, 88, 70])
    doc.heading("Mentor training", count=len(progress.training.sessions))
    if progress.training.sessions:
        doc.table(
            ["date", "hours", "provider", "topic"],
            [[s.held_on, hours_text(s.minutes / 60), s.provider, s.topic] for s in progress.training.sessions],
            widths=[24, 16, 50, 84],
        )
    else:
        doc.none()
    doc.heading("Panel outcomes", count=len(progress.outcomes))
    if not progress.outcomes:
        doc.none()
    for outcome in progress.outcomes:
        label = level_label.get(outcome.level, outcome.level)
        if outcome.outcome is PanelOutcome.AWARDED:
            doc.text(f"{outcome.panel_on:%-d %B %Y}: awarded {label}.")
        else:
            doc.text(f"{outcome.panel_on:%-d %B %Y}: {label} — more evidence requested: {outcome.more_evidence or ''}")
    return doc.build(f"Mentor portfolio: {progress.name}")
