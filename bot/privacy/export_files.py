"""The export's files: JSON and CSV for computers, a readable PDF for the person, each written mode 0600.

The CSV cells go through bot/reports/csv.py (its formula guard) and the PDF is built with bot/reports/pdf.py.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.core.vocabulary import RATING_LABEL
from bot.privacy.export import PersonalData
from bot.privacy.registry import REGISTRY, jsonable
from bot.reports.csv import csv_cell
from bot.reports.pdf import PdfDocument
from storage.observations import Rating

if TYPE_CHECKING:
    from bot.observations.forms import FormLibrary


def to_json(data: PersonalData) -> str:
    document = {
        "export": {
            "format": "mentor-bot personal data export",
            "version": 1,
            "team_id": data.team_id,
            "team_name": data.team_name,
            "user_id": data.user_id,
            "exported_at": jsonable(data.exported_at),
            "records": data.count,
        },
        "person": jsonable(data.person()),
        "tables": {
            table: [{**jsonable(row.values), "_mentions": list(row.mentions)} for row in rows]
            for table, rows in data.records.items()
        },
        "columns": {
            table: {
                "holds": rule.holds,
                "person_ids": list(rule.person_ids),
                "free_text": list(rule.free_text),
                "personal": list(rule.personal),
            }
            for table, rule in REGISTRY.items()
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def to_csv(data: PersonalData) -> str:
    """One line per stored value: table, record id, why it is included, column, value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "record_id", "mentions", "column", "value"])
    for table, rows in data.records.items():
        for row in rows:
            record_id = row.values.get("id", "")
            for column, value in row.values.items():
                writer.writerow([table, record_id, "; ".join(row.mentions), column, csv_cell(jsonable(value))])
    return out.getvalue()


def write_private(path: Path, content: bytes) -> None:
    """Create `path` readable and writable by its owner only (0600); never overwrite or follow a link."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # whatever the umask
        with os.fdopen(descriptor, "wb") as handle:
            descriptor = -1
            handle.write(content)
    finally:
        if descriptor != -1:
            os.close(descriptor)


def write_export(data: PersonalData, out_dir: Path, *, forms: FormLibrary | None, tz: ZoneInfo) -> list[Path]:
    """The JSON, CSV and PDF files, each mode 0600, in `out_dir` (created 0700 if missing)."""
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = f"mentor-bot-{data.team_id}-{data.user_id}-{data.exported_at.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    contents = {
        ".json": to_json(data).encode(),
        ".csv": to_csv(data).encode("utf-8-sig"),  # the BOM makes Excel read it as UTF-8
        ".pdf": render_pdf(data, forms=forms, tz=tz),
    }
    written = []
    for suffix, content in contents.items():
        path = out_dir / (stem + suffix)
        write_private(path, content)
        written.append(path)
    return written


# --- the readable PDF -----------------------------------------------------------------------------------------------
EXPORT_FOOTER = "Personal data: keep it safe and share it only with the person named."


def render_pdf(data: PersonalData, *, forms: FormLibrary | None = None, tz: ZoneInfo | None = None) -> bytes:
    """A plain report a person can read: who they are, then each kind of record, then anything else held."""
    pdf = PdfDocument(tz or ZoneInfo("Europe/London"), footer=EXPORT_FOOTER)
    person = data.person() or {}
    shown_name = person.get("real_name") or person.get("name") or data.user_id
    pdf.title(f"Personal data held by mentor-bot: {shown_name}")
    pdf.text(
        f"Slack user {data.user_id} in workspace {data.team_name or data.team_id} ({data.team_id}). "
        f"Exported {pdf.when(data.exported_at)}. This report shows every record that mentions this person; "
        "the JSON and CSV files beside it hold the same records in full, for computers.",
        "small",
    )

    pdf.heading("Person")
    if person:
        pdf.line("Name", person.get("name"))
        pdf.line("Real name", person.get("real_name"))
        pdf.line("Email", person.get("email"))
        pdf.line("Time zone", person.get("tz"))
        pdf.line("Slack workspace admin", "yes" if person.get("is_workspace_admin") else "no")
        pdf.line("Last refreshed from Slack", person.get("refreshed_at"))
    else:
        pdf.text("No profile is stored (the bot has not looked this person up in Slack).", "small")

    roles = data.rows("role_grants")
    pdf.heading("Roles", len(roles))
    if roles:
        pdf.table(
            ["role", "held by", "given by", "when"],
            [
                [
                    jsonable(r.values["role"]),
                    data.name(r.values["user_id"]),
                    data.name(r.values["granted_by"]),
                    r.values["granted_at"],
                ]
                for r in roles
            ],
            [30, 50, 50, 44],
        )
    else:
        pdf.none()

    mentorships = data.rows("mentorships")
    pdf.heading("Mentorships", len(mentorships))
    if mentorships:
        pdf.table(
            ["mentor", "mentee", "kind", "from", "to", "ended"],
            [
                [
                    data.name(m.values["mentor_id"]),
                    data.name(m.values["mentee_id"]),
                    jsonable(m.values["mentee_kind"]),
                    m.values["start_date"],
                    m.values["end_date"],
                    m.values["ended_at"] or "still running",
                ]
                for m in mentorships
            ],
            [38, 38, 18, 24, 24, 32],
        )
    else:
        pdf.none()

    _pdf_observations(pdf, data, forms)
    _pdf_reflections(pdf, data)
    _pdf_meetings(pdf, data)
    _pdf_targets(pdf, data)

    audit = data.rows("audit_log")
    pdf.heading("Audit log entries", len(audit))
    if audit:
        pdf.table(
            ["when", "who", "action", "about", "record"],
            [
                [
                    a.values["at"],
                    data.name(a.values["actor_id"]),
                    a.values["action"],
                    data.name(a.values["subject_id"]),
                    _record(a.values["record_type"], a.values["record_id"]),
                ]
                for a in audit
            ],
            [32, 34, 40, 34, 34],
        )
    else:
        pdf.none()

    shown = {"people", "role_grants", "mentorships", "observations", "observation_entries", "meetings"}
    shown |= {"meeting_target_reviews", "targets", "audit_log"}
    others = [(table, rows) for table, rows in data.records.items() if table not in shown and rows]
    pdf.heading("Other records", sum(len(rows) for _, rows in others))
    if not others:
        pdf.none()
    for table, rows in others:
        pdf.subheading(f"{table}: {REGISTRY[table].holds}")
        for row in rows:
            parts = [f"{k}: {_plain(v, pdf)}" for k, v in row.values.items() if v not in (None, "", [], {})]
            pdf.text("• " + "; ".join(parts))
    return pdf.build(f"Personal data: {shown_name}")


def _rating_words(value: Any) -> str:
    return RATING_LABEL[Rating(value)] if value else ""


def _record(record_type: str | None, record_id: int | None) -> str:
    if record_type and record_id is not None:
        return f"{record_type} {record_id}"
    return record_type or ""


def _plain(value: Any, pdf: PdfDocument) -> str:
    if isinstance(value, date | datetime):
        return pdf.when(value)
    if isinstance(value, dict | list):
        return json.dumps(jsonable(value), ensure_ascii=False)
    return str(jsonable(value))


def _entry_label(forms: FormLibrary | None, form_key: str, key: str) -> str:
    form = forms.get(form_key) if forms is not None else None
    form_field = form.field(key) if form is not None else None
    return form_field.label if form_field is not None else key.replace("_", " ").capitalize()


def _pdf_observations(pdf: PdfDocument, data: PersonalData, forms: FormLibrary | None) -> None:
    observations = data.rows("observations")
    pdf.heading("Observations", len(observations))
    if not observations:
        pdf.none()
    entries: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for entry in data.rows("observation_entries"):
        entries[entry.values["observation_id"]].append(entry.values)
    for found in observations:
        o = found.values
        what = ", ".join(str(x) for x in (o["subject"], o["class_group"]) if x)
        pdf.subheading(f"{pdf.when(o['observed_on'])}{' · ' + what if what else ''}")
        pdf.line("Teacher", data.name(o["teacher_id"]))
        observers = [data.name(o["observer_id"])] + (
            [data.name(o["second_observer_id"])] if o["second_observer_id"] else []
        )
        pdf.line("Observed by", " and ".join(observers))
        pdf.line("Form", o["form_key"])
        pdf.line("Lesson focus", o["focus"])
        pdf.line("On track", {True: "yes", False: "no", None: ""}[o["on_track"]])
        pdf.line("Concern raised", "yes" if o["has_concern"] else "")
        rows = [
            [
                _entry_label(forms, o["form_key"], e["key"]),
                _rating_words(e["rating"]),
                e["text"] or "",
            ]
            for e in sorted(entries[o["id"]], key=lambda e: e["position"])
        ]
        if rows:
            pdf.table(["item", "rating", "comment or answer"], rows, [50, 28, 96])
        pdf.line("Reflection", o["reflection"])
        pdf.line("Next steps (reflection)", o["reflection_next_steps"])


def _pdf_reflections(pdf: PdfDocument, data: PersonalData) -> None:
    mine = [
        r.values
        for r in data.rows("observations")
        if r.values["teacher_id"] == data.user_id and (r.values["reflection"] or r.values["reflection_next_steps"])
    ]
    pdf.heading("Reflections", len(mine))
    if not mine:
        pdf.none()
    for o in mine:
        pdf.subheading(f"On the observation of {pdf.when(o['observed_on'])} (written {pdf.when(o['reflected_at'])})")
        pdf.line("Reflection", o["reflection"])
        pdf.line("Next steps", o["reflection_next_steps"])


def _pdf_meetings(pdf: PdfDocument, data: PersonalData) -> None:
    meetings = data.rows("meetings")
    pdf.heading("Meetings", len(meetings))
    if not meetings:
        pdf.none()
    reviews: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for found_review in data.rows("meeting_target_reviews"):
        reviews[found_review.values["meeting_id"]].append(found_review.values)
    for found in meetings:
        m = found.values
        pdf.subheading(f"{pdf.when(m['held_on'])}: {data.name(m['author_id'])} with {data.name(m['mentee_id'])}")
        pdf.line("Length", f"{m['duration_minutes']} minutes" if m["duration_minutes"] else "")
        pdf.line("Wellbeing (1–5)", str(m["wellbeing"]) if m["wellbeing"] is not None else "")
        private = " (kept private to mentors and leads)" if m.get("wellbeing_note_private") else ""
        pdf.line("Wellbeing note" + private, m["wellbeing_note"])
        pdf.line("Notes", m["notes"])
        pdf.line("Next meeting", m["next_meeting_on"])
        if m["signed_off_at"]:
            pdf.line("Signed off", f"{pdf.when(m['signed_off_at'])} by {data.name(m['signed_off_by'])}")
        pdf.line("Mentee's comment", m["mentee_comment"])
        for review in reviews[m["id"]]:
            pdf.line(f"Target {review['target_id']} reviewed", str(jsonable(review["outcome"])))


def _pdf_targets(pdf: PdfDocument, data: PersonalData) -> None:
    targets = data.rows("targets")
    pdf.heading("Targets", len(targets))
    if not targets:
        pdf.none()
        return
    pdf.table(
        ["target", "for", "set by", "due", "status", "standards"],
        [
            [
                t.values["text"],
                data.name(t.values["mentee_id"]),
                data.name(t.values["set_by"]),
                t.values["due_on"],
                str(jsonable(t.values["status"])).replace("_", " "),
                ", ".join(t.values["standards"] or []),
            ]
            for t in targets
        ],
        [64, 24, 24, 22, 18, 22],
    )
