"""A review's report: the PDF the appropriate body or provider reads, and a CSV of the same fields for those
who import data. Built with the shared writers in `bot/reports/`.

`ReportData` is everything the report says, read once by `ReviewWriting.report` (which checks who may ask
and writes the audit entry). `review_pdf` renders it; if the PDF would be larger than `limit` bytes (Slack's
upload limit), it is rendered again summarised — no chart, the quotes cut short — and says so on its first
page; it is never dropped. `review_csv` writes one header row and one row of values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.reports.csv import csv_text
from bot.reports.pdf import PdfDocument

SLACK_UPLOAD_LIMIT = 1_000_000_000  # bytes: Slack refuses larger files
QUOTES_SHOWN = 10  # the latest quotes of each kind; the draft stored with the review keeps them all
SUMMARY_QUOTES = 2


@dataclass(frozen=True)
class Signature:
    capacity: str  # "Teacher", "Mentor", "Induction tutor", "Headteacher"
    name: str
    signed_on: datetime | None
    comment: str | None = None


@dataclass(frozen=True)
class ReportData:
    school: str
    teacher: str
    trn: str | None
    date_of_birth: date | None
    kind: str  # "Progress review", "Formal assessment", …
    title: str
    version: int
    period_start: date
    period_end: date
    term_number: int | None
    hours: str  # "Full time" or "Part time (0.6)"
    days_absent: int | None
    appropriate_body: str | None
    mentor: str
    induction_tutor: str | None
    author: str
    on_track: bool
    outcome: str | None
    evidence: str
    figures: dict[str, Any]
    targets: Sequence[tuple[str, date]]
    answers: Sequence[tuple[str, str]]
    signatures: Sequence[Signature]
    locked_on: datetime | None
    written_on: datetime
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def filename(self) -> str:
        slug = "".join(c if c.isalnum() else "-" for c in f"{self.teacher} {self.title}".lower()).strip("-")
        return "-".join(part for part in slug.split("-") if part)[:80] + f"-v{self.version}"


def _d(iso: str) -> str:
    return f"{date.fromisoformat(iso):%-d %b %Y}"


def _chart(figures: dict[str, Any]) -> bytes | None:
    """The latest rating per standard in the period, as the SLT summary draws it."""
    from bot.digests.chart import ratings_chart

    distribution: dict[str, dict[str, int]] = {}
    labels: dict[str, str] = {}
    for row in figures.get("standards", []):
        latest = next((r for r in reversed(row["ratings"]) if r), None)
        if latest is None:
            continue
        key = f"standard_{row['code']}" if row["code"] != "P2" else "part_two"
        distribution[key] = {_RATING_KEY.get(latest, "na"): 1}
        labels[key] = row["label"]
    if not distribution:
        return None
    return ratings_chart(distribution, "Latest rating per standard in this period", counted="Latest observation")


_RATING_KEY = {"Not": "not", "Partly": "partly", "Fully": "fully", "N/A": "na"}


def review_pdf(data: ReportData, tz: ZoneInfo, *, limit: int = SLACK_UPLOAD_LIMIT) -> tuple[bytes, bool]:
    """The PDF, and whether it had to be summarised to fit under `limit` bytes."""
    full = _render(data, tz, summarised=False)
    if len(full) <= limit:
        return full, False
    return _render(data, tz, summarised=True), True


def _render(data: ReportData, tz: ZoneInfo, *, summarised: bool) -> bytes:
    doc = PdfDocument(tz, footer=f"{data.school} · {data.title}: {data.teacher} · confidential")
    doc.title(f"{data.title}: {data.teacher}")
    version = f" · version {data.version}" if data.version > 1 else ""
    doc.text(f"{data.kind}{version}, written {data.written_on.astimezone(tz):%-d %B %Y}.", "small")
    if summarised:
        doc.text("Summarised to fit Slack's upload limit: the ratings chart is left out and quotes are shortened.")
    doc.heading("Details")
    figures = data.figures
    doc.key_values(
        [
            ("School", data.school),
            ("Teacher", data.teacher),
            ("Teacher reference number", data.trn or "—"),
            ("Date of birth", f"{data.date_of_birth:%-d %B %Y}" if data.date_of_birth else "—"),
            ("Appropriate body", data.appropriate_body or "—"),
            ("Mentor", data.mentor),
            ("Induction tutor", data.induction_tutor or "—"),
            ("Period covered", f"{data.period_start:%-d %B %Y} – {data.period_end:%-d %B %Y}"),
            ("Term number", str(data.term_number) if data.term_number else "—"),
            ("Full or part time", data.hours),
            ("Days absent", "—" if data.days_absent is None else str(data.days_absent)),
            ("On track", "Yes" if data.on_track else "No"),
            *([("Outcome", data.outcome)] if data.outcome else []),
        ]
    )
    doc.heading("Evidence against the Teachers' Standards")
    for paragraph in data.evidence.splitlines():
        if paragraph.strip():
            doc.text(paragraph)
    for label, answer in data.answers:
        doc.subheading(label)
        doc.text(answer)
    doc.heading("The records this review drew on")
    if figures.get("empty"):
        doc.text("No meetings, targets or observations were logged in this period.")
    m, t = figures["meetings"], figures["targets"]
    doc.key_values(
        [
            ("Meetings", f"{m['held']} held of {m['expected']} expected ({m['cadence'].replace('_', ' ')})"),
            ("Signed off by the teacher", str(m["signed_off"])),
            ("Targets", f"{len(t['set'])} set, {len(t['met'])} met, {len(t['carried'])} carried, "
             f"{len(t['not_met'])} not met, {t['open']} open"),
            ("Observations", str(len(figures["observations"]))),
            ("No evidence yet", ", ".join(f"Standard {c}" for c in figures["no_evidence"]) or "—"),
        ]
    )  # fmt: skip
    observations = figures["observations"]
    if observations:
        doc.subheading("Ratings by standard (direction of travel)")
        shown = observations[-6:]
        skip = len(observations) - len(shown)
        header = ["Standard", *(f"{date.fromisoformat(o['date']):%-d %b %y}" for o in shown), "Trend"]
        rows = [
            [s["label"], *((r or "–") for r in s["ratings"][skip:]), s["trend"] or ""] for s in figures["standards"]
        ]
        column = (174 - 62 - 22) / len(shown)
        doc.table(header, rows, widths=[62, *([column] * len(shown)), 22])
        chart = None if summarised else _chart(figures)
        if chart is not None:
            doc.image(chart, width=150, description="Latest rating per standard in this period")
    quoted = (
        ("Strengths (from observations)", figures.get("strengths") or []),
        ("Development points (from observations)", figures.get("development") or []),
        ("Concerns (from observations)", figures.get("concerns") or []),
        ("The teacher's reflections", figures.get("reflections") or []),
    )
    for heading, quotes in quoted:
        if not quotes:
            continue
        doc.subheading(heading)
        shown_quotes = quotes[-(SUMMARY_QUOTES if summarised else QUOTES_SHOWN) :]
        if len(quotes) > len(shown_quotes):
            doc.text(f"The latest {len(shown_quotes)} of {len(quotes)}, newest last.", "small")
        for quote in shown_quotes:
            text = quote["text"][:120] if summarised else quote["text"]
            doc.text(f"{_d(quote['date'])}: “{text}”")
    doc.heading("Agreed targets", len(data.targets))
    if data.targets:
        doc.table(["Target", "Due by"], [[text, due] for text, due in data.targets], widths=[140, 34])
    else:
        doc.none()
    doc.heading("Signatures")
    doc.table(
        ["Signed as", "Name", "Signed on", "Comment"],
        [[s.capacity, s.name, s.signed_on or "not yet", s.comment or ""] for s in data.signatures],
        widths=[32, 40, 30, 72],
    )
    if data.locked_on is not None:
        doc.text(f"Signed by everyone and locked on {data.locked_on.astimezone(tz):%-d %B %Y}.", "small")
    return doc.build(f"{data.title}: {data.teacher}")


CSV_FIELDS = (
    "school", "teacher", "teacher_reference_number", "date_of_birth", "appropriate_body", "mentor", "induction_tutor",
    "review", "version", "period_start", "period_end", "term_number", "full_or_part_time", "days_absent", "on_track",
    "outcome", "evidence", "meetings_held", "meetings_expected", "targets_set", "targets_met", "observations",
    "no_evidence_yet", "agreed_targets", "signatures", "locked_on",
)  # fmt: skip


def review_csv(data: ReportData, tz: ZoneInfo) -> bytes:
    figures = data.figures
    signatures = "; ".join(
        f"{s.capacity}: {s.name} ({s.signed_on.astimezone(tz):%Y-%m-%d})" if s.signed_on else f"{s.capacity}: {s.name}"
        for s in data.signatures
    )
    values: list[Any] = [
        data.school, data.teacher, data.trn, data.date_of_birth, data.appropriate_body, data.mentor,
        data.induction_tutor, data.title, data.version, data.period_start, data.period_end, data.term_number,
        data.hours, data.days_absent,
        "yes" if data.on_track else "no", data.outcome, data.evidence, figures["meetings"]["held"],
        figures["meetings"]["expected"], len(figures["targets"]["set"]), len(figures["targets"]["met"]),
        len(figures["observations"]), " ".join(figures["no_evidence"]),
        "; ".join(f"{text} (by {due:%Y-%m-%d})" for text, due in data.targets), signatures,
        data.locked_on.astimezone(tz).date() if data.locked_on else None,
    ]  # fmt: skip
    header = [*CSV_FIELDS, *(f"q_{key}" for key in data.extra)]
    values += list(data.extra.values())
    return csv_text(header, [values]).encode("utf-8-sig")
