"""UK GDPR tools: what the bot holds about a person, exporting it, erasing it, retention, and reading the audit log.

`REGISTRY` says, for every table in the models, which columns hold a person's Slack id, which hold free text
or other personal data, and which hold nothing personal. Export and erasure are driven by it alone, so a table
or column that is not listed cannot silently escape them: `registry_problems()` names what is missing (and
tests/services/test_privacy.py fails), and export and erasure refuse to run until the registry is complete.

Erasure keeps the rows that carry counts (mentorships, observations, meetings, targets…) so cohort statistics
stay right: the person's Slack id is replaced everywhere by a pseudonym ("UERASED" + 10 hex digits), free text
about them is blanked, their name, email and time zone are removed, and rows that only mattered while they were
here (their roles, unconfirmed target drafts, digest deliveries to them) are deleted.
"""

from __future__ import annotations

import csv
import enum
import hashlib
import io
import json
import logging
import os
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import MetaData, Table
from sqlalchemy.orm import Session

from bot.core.permissions import Action, require
from bot.core.vocabulary import RATING_LABEL
from storage import privacy as statements
from storage.db import Database
from storage.observations import Rating
from storage.queries import export as queries
from storage.roster import AuditEntry
from storage.schema import Base

if TYPE_CHECKING:
    from bot.app.bootstrap import Deps
    from bot.observations.forms import FormLibrary
    from bot.roster.service import Caller

log = logging.getLogger(__name__)

PSEUDONYM_PREFIX = "UERASED"
ERASED_TEXT = "[erased]"
CLI_ACTOR = "privacy-cli"
RETENTION_ACTOR = "privacy-retention"
AUDIT_PAGE = 30  # entries shown by /mentor audit


# --- the registry -------------------------------------------------------------------------------------------------
class Erase(enum.StrEnum):
    ANONYMISE = "anonymise"  # keep the row (it carries counts): blank its personal columns, swap ids for the pseudonym
    DELETE = "delete"  # delete the person's rows: they only mattered while the person was here


@dataclass(frozen=True)
class Link:
    """The rows belong to a row of `table` through the foreign key `column`: same workspace, same person."""

    column: str
    table: str


@dataclass(frozen=True)
class TableRule:
    """How one table holds personal data. Every column is in exactly one of the four column lists."""

    holds: str  # one line: what the table is, for people reading the registry
    person_ids: tuple[str, ...] = ()  # a Slack user id: replaced by the pseudonym on erasure
    free_text: tuple[str, ...] = ()  # typed text about the subject: blanked on erasure (JSON: every string in it)
    personal: tuple[str, ...] = ()  # other personal data about the subject (name, email, DM ids): blanked
    other: tuple[str, ...] = ()  # nothing personal: dates, counts, ratings, keys; kept as they are
    # Whose personal data a row is: one of `person_ids`, or the subject of the row it belongs to.
    subject: str | Link | None = None
    on_erase: Erase = Erase.ANONYMISE
    suffixed_ids: tuple[str, ...] = ()  # person_ids whose value may be an id plus more, e.g. "U0123:setup"
    when_erased: dict[str, Any] = field(default_factory=dict)  # other columns set on the subject's rows

    @property
    def columns(self) -> tuple[str, ...]:
        return self.person_ids + self.free_text + self.personal + self.other


def _cols(names: str) -> tuple[str, ...]:
    return tuple(names.split())


REGISTRY: dict[str, TableRule] = {
    "workspaces": TableRule(
        holds="the Slack workspace: its name and the SLT channel",
        other=("team_id", "name", "slt_channel_id", "created_at", "updated_at"),
    ),
    "people": TableRule(
        holds="a Slack user as last seen through users.info",
        person_ids=("user_id",),
        personal=("name", "real_name", "email", "tz"),
        other=("id", "team_id", "is_workspace_admin", "is_bot", "deleted", "refreshed_at"),
        subject="user_id",
        when_erased={"deleted": True, "is_workspace_admin": False},
    ),
    "role_grants": TableRule(
        holds="lead mentor, SLT and admin roles, and who gave them",
        person_ids=("user_id", "granted_by"),
        other=("id", "team_id", "role", "granted_at"),
        subject="user_id",
        on_erase=Erase.DELETE,
    ),
    "mentorships": TableRule(
        holds="who mentors whom and when; kept so cohort numbers stay right",
        person_ids=("mentor_id", "mentee_id", "created_by", "ended_by"),
        other=_cols(
            "id team_id mentee_kind start_date end_date meeting_cadence observations_per_half_term probation_end "
            "probation_midpoint_told_for created_at ended_at"
        ),
        subject="mentee_id",
    ),
    "audit_log": TableRule(
        holds="who did what to which record, and when; `detail` holds labels, roles and channel ids, never notes",
        person_ids=("actor_id", "subject_id"),
        other=("id", "team_id", "action", "record_type", "record_id", "detail", "at"),
        subject="subject_id",
    ),
    "observations": TableRule(
        holds="lesson observations: ratings and dates kept for statistics, the texts are the teacher's",
        person_ids=("teacher_id", "observer_id", "second_observer_id"),
        free_text=("focus", "reflection", "reflection_next_steps"),
        personal=("teacher_message_channel", "teacher_message_ts"),
        other=_cols(
            "id team_id mentorship_id form_key observed_on subject class_group pupils duration_minutes on_track "
            "has_concern reflected_at submission_key created_at updated_at"
        ),
        subject="teacher_id",
    ),
    "observation_entries": TableRule(
        holds="each answer on an observation form: the rating is kept, the comment is the teacher's",
        free_text=("text",),
        other=("id", "observation_id", "key", "position", "rating"),
        subject=Link("observation_id", "observations"),
    ),
    "observation_revisions": TableRule(
        holds="corrections to an observation: each changed answer before and after",
        person_ids=("changed_by",),
        free_text=("changes",),
        other=("id", "observation_id", "changed_at"),
        subject=Link("observation_id", "observations"),
    ),
    "meetings": TableRule(
        holds="weekly meetings: dates, length and wellbeing score kept for statistics, the notes are the mentee's",
        person_ids=("mentee_id", "author_id", "signed_off_by"),
        free_text=("notes", "wellbeing_note", "mentee_comment"),
        personal=("mentee_message_channel", "mentee_message_ts"),
        other=_cols(
            "id team_id mentorship_id held_on duration_minutes wellbeing next_meeting_on submission_key "
            "signed_off_at created_at updated_at"
        ),
        subject="mentee_id",
    ),
    "meeting_target_reviews": TableRule(
        holds="the outcome of each target reviewed in a meeting",
        other=("id", "team_id", "meeting_id", "target_id", "outcome"),
        subject=Link("meeting_id", "meetings"),
    ),
    "meeting_revisions": TableRule(
        holds="corrections to meeting notes: each changed field before and after",
        person_ids=("changed_by",),
        free_text=("changes",),
        other=("id", "team_id", "meeting_id", "changed_at"),
        subject=Link("meeting_id", "meetings"),
    ),
    "targets": TableRule(
        holds="targets: status, dates and standards kept for statistics, the wording is the mentee's",
        person_ids=("mentee_id", "set_by", "closed_by"),
        free_text=("text", "due_phrase"),
        personal=("mentee_message_channel", "mentee_message_ts"),
        other=_cols(
            "id team_id mentorship_id due_on standards status meeting_id plan_id carried_count flagged_at "
            "ready_for_review_at closed_at submission_key created_at updated_at"
        ),
        subject="mentee_id",
    ),
    "target_drafts": TableRule(
        holds="targets typed with /target and not yet confirmed",
        person_ids=("mentee_id", "set_by"),
        free_text=("text", "due_phrase"),
        other=("id", "team_id", "key", "mentorship_id", "due_on", "due_given", "standards", "target_id", "created_at"),
        subject="mentee_id",
        on_erase=Erase.DELETE,
    ),
    "reminders_sent": TableRule(
        holds="meeting reminders sent to mentors, one per mentorship and period",
        person_ids=("recipient_id",),
        personal=("channel", "ts"),
        other=("id", "team_id", "mentorship_id", "period", "claimed_at", "sent_at"),
        subject="recipient_id",
    ),
    "digest_deliveries": TableRule(
        holds="weekly digests sent (or being sent) to a person or a channel",
        person_ids=("recipient",),
        personal=("channel", "message_ts"),
        other=_cols("id team_id week kind status attempts claimed_by claimed_at sent_at last_error created_at"),
        subject="recipient",
        on_erase=Erase.DELETE,
        suffixed_ids=("recipient",),
    ),
    "concerns": TableRule(
        holds="concerns about a mentee: category, dates and status kept for counts, what was seen is theirs",
        person_ids=("mentee_id", "raised_by"),
        free_text=("what_seen", "done_so_far"),
        other=_cols(
            "id team_id mentorship_id category seen_on standards discussed_on shared observation_id status "
            "closed_at submission_key created_at updated_at"
        ),
        subject="mentee_id",
    ),
    "concern_entries": TableRule(
        holds="the dated trail of a concern: updates, what was agreed, its resolution and the reason",
        person_ids=("author_id",),
        free_text=("happened", "agreed"),
        other=("id", "team_id", "concern_id", "kind", "on_date", "outcome", "submission_key", "created_at"),
        subject=Link("concern_id", "concerns"),
    ),
    "support_plans": TableRule(
        holds="support plans (IRPs): review dates and status kept, the areas, support and names informed are theirs",
        person_ids=("mentee_id", "owner_id"),
        free_text=("areas", "support", "informed"),
        other=_cols(
            "id team_id mentorship_id concern_id standards review_on status signed_at reminded_before_for "
            "reminded_on_day_for closed_at submission_key created_at updated_at"
        ),
        subject="mentee_id",
    ),
    "plan_reviews": TableRule(
        holds="a support plan's reviews: the outcome and next date kept, the notes are the mentee's",
        person_ids=("author_id",),
        free_text=("notes",),
        other=_cols("id team_id plan_id outcome reviewed_on next_review_on submission_key created_at"),
        subject=Link("plan_id", "support_plans"),
    ),
    "warning_episodes": TableRule(
        holds="early warnings raised once per episode: which rule, when, and its evidence (dates and counts)",
        person_ids=("mentee_id",),
        free_text=("evidence",),
        other=_cols("id team_id kind episode_key raised_at"),
        subject="mentee_id",
    ),
    "digest_snapshots": TableRule(
        holds="a week's school-wide numbers; no names or ids",
        other=("id", "team_id", "week", "numbers", "created_at"),
    ),
}


class RegistryIncomplete(Exception):
    """A table or column is not classified in REGISTRY: export and erasure would miss it, so they don't run."""


def registry_problems(metadata: MetaData | None = None) -> list[str]:
    """Everything that keeps REGISTRY from describing every table and column in `metadata`, one line each."""
    metadata = metadata if metadata is not None else Base.metadata
    problems: list[str] = []
    for table in metadata.sorted_tables:
        names = [column.name for column in table.columns]
        rule = REGISTRY.get(table.name)
        if rule is None:
            problems.append(
                f"table {table.name} is not in REGISTRY (bot/services/privacy.py): add a TableRule putting each of "
                f"its columns ({', '.join(names)}) in person_ids (a Slack user id), free_text, personal or other, "
                "and say whose data a row is (subject) and whether erasure deletes or anonymises it"
            )
            continue
        listed = rule.columns
        for name in sorted({c for c in listed if listed.count(c) > 1}):
            problems.append(f"{table.name}.{name} is classified twice in REGISTRY: keep it in one list")
        for name in sorted(set(listed) - set(names)):
            problems.append(f"{table.name}.{name} is in REGISTRY but not in the table: remove it")
        for name in names:
            if name not in listed:
                problems.append(
                    f"{table.name}.{name} is not classified in REGISTRY (bot/services/privacy.py): add it to "
                    "person_ids, free_text, personal or other"
                )
        problems += _rule_problems(metadata, table, rule)
    for name in sorted(REGISTRY.keys() - metadata.tables.keys()):
        problems.append(f"REGISTRY lists {name}, which is not a table in the models: remove it")
    return problems


def _rule_problems(metadata: MetaData, table: Table, rule: TableRule) -> list[str]:
    problems: list[str] = []
    where = f"REGISTRY[{table.name!r}]"
    holds_personal = bool(rule.person_ids or rule.free_text or rule.personal)
    if holds_personal and rule.subject is None:
        problems.append(f"{where} holds personal data but names no subject: say whose data each row is")
    if (holds_personal or rule.subject is not None) and "id" not in table.c:
        problems.append(f"{where}: the table needs an integer id primary key for export and erasure")
    if isinstance(rule.subject, str) and rule.subject not in rule.person_ids:
        problems.append(f"{where}: subject {rule.subject} must be one of its person_ids")
    if isinstance(rule.subject, Link):
        link = rule.subject
        parent_rule = REGISTRY.get(link.table)
        if link.table not in metadata.tables or parent_rule is None or parent_rule.subject is None:
            problems.append(f"{where}: links to {link.table}, which is not a registered table with a subject")
        elif link.column not in table.c or not any(
            fk.column.table.name == link.table for fk in table.c[link.column].foreign_keys
        ):
            problems.append(f"{where}: {link.column} is not a foreign key to {link.table}")
        elif "team_id" not in table.c and "team_id" not in metadata.tables[link.table].c:
            problems.append(f"{where}: neither it nor {link.table} has a team_id to keep workspaces apart")
    elif rule.subject is not None and "team_id" not in table.c:
        problems.append(f"{where}: has no team_id; link it to a table that has one")
    for name in rule.suffixed_ids:
        if name not in rule.person_ids:
            problems.append(f"{where}: suffixed id {name} must be one of its person_ids")
    for name in rule.free_text + rule.personal:
        column = table.c.get(name)
        if column is not None and not statements.blankable(table, name):
            problems.append(f"{where}: {name} can't be blanked (not nullable, not text): make it nullable")
    for name in rule.when_erased:
        if name not in rule.other:
            problems.append(f"{where}: when_erased sets {name}, which must be an `other` column")
    return problems


def _require_complete_registry() -> None:
    problems = registry_problems()
    if problems:
        raise RegistryIncomplete(
            "The privacy registry does not cover every table, so nothing was exported or erased: " + "; ".join(problems)
        )


# --- shared helpers -----------------------------------------------------------------------------------------------
def _tables() -> list[tuple[Table, TableRule]]:
    """Every table with its rule, parents before the tables that link to them."""
    return [(table, REGISTRY[table.name]) for table in Base.metadata.sorted_tables]


def _team_scope(table: Table, rule: TableRule, team_id: str) -> Any:
    link = (rule.subject.column, rule.subject.table) if isinstance(rule.subject, Link) else None
    return queries.team_scope(table, team_id, link)


def _is_person(value: Any, user_id: str, *, suffixed: bool) -> bool:
    if not isinstance(value, str):
        return False
    if value == user_id:
        return True
    return suffixed and value.startswith(user_id) and not value[len(user_id)].isalnum()


def _id_candidates(table: Table, name: str, user_id: str, rule: TableRule) -> Any:
    return queries.id_candidates(table, name, user_id, suffixed=name in rule.suffixed_ids)


def _mention_forms(user_id: str) -> tuple[str, str]:
    return f"<@{user_id}>", f"<@{user_id}|"


def _text_mentions(table: Table, name: str, user_id: str) -> Any:
    return queries.text_mentions(table, name, user_id, _mention_forms(user_id))


def _swap_mentions(value: Any, user_id: str, pseudonym: str) -> Any:
    """`value` with every mention of the person (and, inside JSON, every bare id) naming the pseudonym."""
    if isinstance(value, str):
        if value == user_id:
            return pseudonym
        for form in _mention_forms(user_id):
            value = value.replace(form, form.replace(user_id, pseudonym))
        return value
    if isinstance(value, list):
        return [_swap_mentions(item, user_id, pseudonym) for item in value]
    if isinstance(value, dict):
        return {key: _swap_mentions(item, user_id, pseudonym) for key, item in value.items()}
    return value


def _blank_json(value: Any) -> Any:
    """Every string inside a JSON value erased; keys (field labels), numbers and structure kept."""
    if isinstance(value, str):
        return ERASED_TEXT
    if isinstance(value, list):
        return [_blank_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _blank_json(item) for key, item in value.items()}
    return value


def blank_value(table: Table, name: str) -> Any:
    """What an erased column holds: NULL where the column allows it, otherwise "[erased]"."""
    column = table.c[name]
    return None if column.nullable else ERASED_TEXT


def is_pseudonym(user_id: str) -> bool:
    return user_id.startswith(PSEUDONYM_PREFIX)


def new_pseudonym(team_id: str, user_id: str) -> str:
    """A fresh pseudonym for one erasure, the same in every row of it.

    Salted with random bytes that are thrown away: an unsalted hash of a Slack id could be undone by hashing
    every member id of the workspace, which would reverse the erasure.
    """
    digest = hashlib.sha256(secrets.token_bytes(16) + f"{team_id}:{user_id}".encode()).hexdigest()
    return PSEUDONYM_PREFIX + digest[:10].upper()


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    return value


# --- export -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Found:
    """One row that mentions the person, with every column, and why it was included."""

    table: str
    values: dict[str, Any]
    mentions: tuple[str, ...]  # e.g. ("teacher_id",), ("mentioned in notes",), ("part of observations 3",)

    @property
    def id(self) -> Any:
        return self.values.get("id")


@dataclass(frozen=True)
class PersonalData:
    """Everything held about one person in one workspace."""

    team_id: str
    user_id: str
    team_name: str | None
    exported_at: datetime
    records: dict[str, list[Found]]  # every registered table, empty where nothing mentions them
    names: dict[str, str]  # display names of the people these records name, for the PDF

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.records.values())

    def rows(self, table: str) -> list[Found]:
        return self.records.get(table, [])

    def person(self) -> dict[str, Any] | None:
        return next((r.values for r in self.rows("people") if r.values.get("user_id") == self.user_id), None)

    def name(self, user_id: str | None) -> str:
        if not user_id:
            return ""
        if user_id == self.user_id:
            return "you"
        return self.names.get(user_id, user_id)


def collect(session: Session, team_id: str, user_id: str, now: datetime) -> PersonalData:
    """Every row in every table that names the person, mentions them in text, or belongs to such a row."""
    _require_complete_registry()
    records: dict[str, list[Found]] = {}
    matched: dict[str, set[Any]] = defaultdict(set)
    for table, rule in _tables():
        records[table.name] = []
        conditions = [_id_candidates(table, n, user_id, rule) for n in rule.person_ids]
        conditions += [_text_mentions(table, n, user_id) for n in rule.free_text]
        link = rule.subject if isinstance(rule.subject, Link) else None
        if link is not None and matched[link.table]:
            conditions.append(queries.belongs_to(table, link.column, matched[link.table]))
        if not conditions:
            continue
        for values in queries.rows_where(session, table, _team_scope(table, rule, team_id), conditions):
            mentions = [n for n in rule.person_ids if _is_person(values[n], user_id, suffixed=n in rule.suffixed_ids)]
            mentions += [
                f"mentioned in {n}"
                for n in rule.free_text
                if _swap_mentions(values[n], user_id, "\0") != values[n]  # the text changes when they are swapped
            ]
            if link is not None and values[link.column] in matched[link.table]:
                mentions.append(f"part of {link.table} {values[link.column]}")
            if not mentions:
                continue  # a LIKE match that was not really them (e.g. a longer id)
            records[table.name].append(Found(table.name, values, tuple(mentions)))
            if "id" in values:
                matched[table.name].add(values["id"])
    team_name = queries.workspace_name(session, team_id)
    data = PersonalData(team_id, user_id, team_name, now, records, {})
    return PersonalData(team_id, user_id, team_name, now, records, _names(session, data))


def _names(session: Session, data: PersonalData) -> dict[str, str]:
    ids = {
        value
        for table, rows in data.records.items()
        for row in rows
        for name in REGISTRY[table].person_ids
        if isinstance(value := row.values.get(name), str)
    }
    return queries.display_names(session, data.team_id, ids)


def export_person(db: Database, team_id: str, user_id: str, now: datetime, *, actor: str = CLI_ACTOR) -> PersonalData:
    """Collect everything about the person and record the export in the audit log (one transaction)."""
    with db.unit_of_work() as session:
        data = collect(session, team_id, user_id, now)
        if data.count:
            session.add(
                AuditEntry(team_id=team_id, actor_id=actor, action="privacy.export", subject_id=user_id, at=now)
            )
        return data


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


_CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    # Typed text opened in a spreadsheet must never run as a formula.
    return "'" + text if isinstance(value, str) and text.startswith(_CSV_FORMULA_START) else text


def to_csv(data: PersonalData) -> str:
    """One line per stored value: table, record id, why it is included, column, value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "record_id", "mentions", "column", "value"])
    for table, rows in data.records.items():
        for row in rows:
            record_id = row.values.get("id", "")
            for column, value in row.values.items():
                writer.writerow([table, record_id, "; ".join(row.mentions), column, _csv_cell(jsonable(value))])
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
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
)


@lru_cache(maxsize=1)
def _pdf_fonts() -> tuple[str, str]:
    """DejaVu Sans where the system has it (names such as Łukasz print right), else the built-in Helvetica."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for regular in map(Path, _FONT_CANDIDATES):
        bold = regular.with_name("DejaVuSans-Bold.ttf")
        if regular.is_file() and bold.is_file():
            try:
                pdfmetrics.registerFont(TTFont("MentorSans", str(regular)))
                pdfmetrics.registerFont(TTFont("MentorSans-Bold", str(bold)))
            except Exception:  # a broken font file: fall back rather than fail the export
                continue
            return "MentorSans", "MentorSans-Bold"
    return "Helvetica", "Helvetica-Bold"


class _Pdf:
    """A small builder over ReportLab's Platypus: headings, label/value lines, paragraphs and tables."""

    def __init__(self, tz: ZoneInfo) -> None:
        from reportlab.lib.styles import ParagraphStyle

        self.tz = tz
        regular, bold = _pdf_fonts()
        self.bold = bold
        self.styles = {
            "title": ParagraphStyle("title", fontName=bold, fontSize=17, leading=21, spaceAfter=6),
            "h2": ParagraphStyle("h2", fontName=bold, fontSize=13, leading=16, spaceBefore=12, spaceAfter=4),
            "h3": ParagraphStyle("h3", fontName=bold, fontSize=10.5, leading=13, spaceBefore=8, spaceAfter=2),
            "body": ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12.5, spaceAfter=2),
            "small": ParagraphStyle("small", fontName=regular, fontSize=8, leading=10, textColor="#555555"),
            "cell": ParagraphStyle("cell", fontName=regular, fontSize=8.5, leading=10.5),
        }
        self.flow: list[Any] = []

    @staticmethod
    def esc(text: Any) -> str:
        from xml.sax.saxutils import escape

        return escape(str(text)).replace("\n", "<br/>")

    def when(self, value: Any) -> str:
        if isinstance(value, datetime):
            return f"{value.astimezone(self.tz):%-d %b %Y %H:%M}"
        if isinstance(value, date):
            return f"{value:%-d %b %Y}"
        return "" if value is None else str(value)

    def title(self, text: str) -> None:
        from reportlab.platypus import Paragraph

        self.flow.append(Paragraph(self.esc(text), self.styles["title"]))

    def heading(self, text: str, count: int | None = None) -> None:
        from reportlab.platypus import Paragraph

        suffix = f" ({count})" if count is not None else ""
        self.flow.append(Paragraph(self.esc(text + suffix), self.styles["h2"]))

    def subheading(self, text: str) -> None:
        from reportlab.platypus import Paragraph

        self.flow.append(Paragraph(self.esc(text), self.styles["h3"]))

    def line(self, label: str, value: Any) -> None:
        from reportlab.platypus import Paragraph

        if value is None or value == "":
            return
        shown = value if isinstance(value, str) else self.when(value)
        self.flow.append(
            Paragraph(f'<font name="{self.bold}">{self.esc(label)}:</font> {self.esc(shown)}', self.styles["body"])
        )

    def text(self, value: str, style: str = "body") -> None:
        from reportlab.platypus import Paragraph

        self.flow.append(Paragraph(self.esc(value), self.styles[style]))

    def none(self) -> None:
        self.text("Nothing held.", "small")

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float]) -> None:
        from reportlab.lib import colors
        from reportlab.lib.units import mm
        from reportlab.platypus import Paragraph, Table, TableStyle

        cell = self.styles["cell"]
        data = [[Paragraph(f'<font name="{self.bold}">{self.esc(h)}</font>', cell) for h in header]]
        data += [
            [Paragraph(self.esc(self.when(v) if not isinstance(v, str) else v), cell) for v in row] for row in rows
        ]
        table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#BBBBBB")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        self.flow.append(table)

    def build(self, title: str) -> bytes:
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import mm
        from reportlab.platypus import SimpleDocTemplate

        buffer = io.BytesIO()
        regular = self.styles["small"].fontName

        def footer(canvas: Any, doc: Any) -> None:
            canvas.saveState()
            canvas.setFont(regular, 7.5)
            canvas.drawString(18 * mm, 10 * mm, "Personal data: keep it safe and share it only with the person named.")
            canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {doc.page}")
            canvas.restoreState()

        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            title=title,
            author="mentor-bot",
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=16 * mm,
            bottomMargin=18 * mm,
        )
        document.build(self.flow, onFirstPage=footer, onLaterPages=footer)
        return buffer.getvalue()


def render_pdf(data: PersonalData, *, forms: FormLibrary | None = None, tz: ZoneInfo | None = None) -> bytes:
    """A plain report a person can read: who they are, then each kind of record, then anything else held."""
    pdf = _Pdf(tz or ZoneInfo("Europe/London"))
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


def _plain(value: Any, pdf: _Pdf) -> str:
    if isinstance(value, date | datetime):
        return pdf.when(value)
    if isinstance(value, dict | list):
        return json.dumps(jsonable(value), ensure_ascii=False)
    return str(jsonable(value))


def _entry_label(forms: FormLibrary | None, form_key: str, key: str) -> str:
    form = forms.get(form_key) if forms is not None else None
    form_field = form.field(key) if form is not None else None
    return form_field.label if form_field is not None else key.replace("_", " ").capitalize()


def _pdf_observations(pdf: _Pdf, data: PersonalData, forms: FormLibrary | None) -> None:
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


def _pdf_reflections(pdf: _Pdf, data: PersonalData) -> None:
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


def _pdf_meetings(pdf: _Pdf, data: PersonalData) -> None:
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
        pdf.line("Wellbeing note", m["wellbeing_note"])
        pdf.line("Notes", m["notes"])
        pdf.line("Next meeting", m["next_meeting_on"])
        if m["signed_off_at"]:
            pdf.line("Signed off", f"{pdf.when(m['signed_off_at'])} by {data.name(m['signed_off_by'])}")
        pdf.line("Mentee's comment", m["mentee_comment"])
        for review in reviews[m["id"]]:
            pdf.line(f"Target {review['target_id']} reviewed", str(jsonable(review["outcome"])))


def _pdf_targets(pdf: _Pdf, data: PersonalData) -> None:
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


# --- erasure ------------------------------------------------------------------------------------------------------
@dataclass
class TableChange:
    deleted: int = 0  # rows deleted
    blanked: int = 0  # rows whose personal columns were blanked
    ids_replaced: int = 0  # id values replaced by the pseudonym
    mentions_replaced: int = 0  # texts whose mentions of the person now name the pseudonym
    ended: int = 0  # live mentorships ended

    @property
    def any(self) -> bool:
        return bool(self.deleted or self.blanked or self.ids_replaced or self.mentions_replaced or self.ended)


@dataclass
class ErasureReport:
    """What an erasure changed (or would change). Names the pseudonym only, never the erased id."""

    team_id: str
    pseudonym: str
    changes: dict[str, TableChange] = field(default_factory=lambda: defaultdict(TableChange))

    @property
    def found(self) -> bool:
        return any(change.any for change in self.changes.values())

    def describe(self) -> list[str]:
        """One line per table, e.g. "observations: blank focus, reflection in 2 rows; replace the Slack id 3 times"."""
        lines = []
        for table, change in sorted(self.changes.items()):
            rule = REGISTRY[table]
            parts = []
            if change.ended:
                parts.append(f"end {_n(change.ended, 'live mentorship')}")
            if change.deleted:
                parts.append(f"delete {_n(change.deleted, 'row')}")
            if change.blanked:
                parts.append(f"blank {', '.join(rule.free_text + rule.personal)} in {_n(change.blanked, 'row')}")
            if change.ids_replaced:
                parts.append(f"replace the Slack id {_n(change.ids_replaced, 'time')}")
            if change.mentions_replaced:
                parts.append(f"replace mentions in {_n(change.mentions_replaced, 'text')}")
            if parts:
                lines.append(f"{table}: " + "; ".join(parts))
        return lines


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _erase_in(
    session: Session, team_id: str, user_id: str, pseudonym: str, now: datetime, *, actor: str, detail: str | None
) -> ErasureReport:
    _require_complete_registry()
    report = ErasureReport(team_id, pseudonym)
    tables = _tables()

    # 1. A person who is erased can't go on mentoring or being mentored: end their live mentorships.
    ended = statements.end_live_mentorships(session, team_id, user_id, now, actor)
    if ended:
        report.changes["mentorships"].ended = ended

    # 2. The rows that are about them, found while their id is still in place (parents before children).
    about: dict[str, list[int]] = {}
    for table, rule in tables:
        about[table.name] = _subject_rows(session, table, rule, team_id, user_id, about)

    # 3. Delete what only mattered while they were here; blank personal columns of what is kept (children first).
    for table, rule in reversed(tables):
        ids = about[table.name]
        if not ids:
            continue
        if rule.on_erase is Erase.DELETE:
            statements.delete_rows(session, table, ids)
            report.changes[table.name].deleted = len(ids)
            continue
        blanks = {n: blank_value(table, n) for n in rule.free_text + rule.personal if not statements.is_json(table, n)}
        blanks.update(rule.when_erased)
        if blanks:
            statements.update_rows(session, table, ids, blanks)
        for name in rule.free_text + rule.personal:
            if statements.is_json(table, name):
                for row_id, value in statements.values_of(session, table, name, ids):
                    statements.set_value(session, table, row_id, name, _blank_json(value))
        if rule.free_text or rule.personal or rule.when_erased:
            report.changes[table.name].blanked = len(ids)

    # 4. Their id, wherever it is still held, becomes the pseudonym; so do mentions of them in kept text.
    for table, rule in tables:
        scope = _team_scope(table, rule, team_id)
        for name in rule.person_ids:
            suffixed = name in rule.suffixed_ids
            if not suffixed:
                replaced = statements.replace_value(session, table, scope, name, user_id, pseudonym)
                report.changes[table.name].ids_replaced += replaced
                continue
            candidates = statements.values_where(
                session, table, name, scope, _id_candidates(table, name, user_id, rule)
            )
            for row_id, value in candidates:
                if _is_person(value, user_id, suffixed=True):
                    new = pseudonym + value[len(user_id) :]
                    statements.set_value(session, table, row_id, name, new)
                    report.changes[table.name].ids_replaced += 1
        for name in rule.free_text:
            found = statements.values_where(session, table, name, scope, _text_mentions(table, name, user_id))
            for row_id, value in found:
                swapped = _swap_mentions(value, user_id, pseudonym)
                if swapped != value:
                    statements.set_value(session, table, row_id, name, swapped)
                    report.changes[table.name].mentions_replaced += 1

    if not report.found:
        return report  # nothing held: nothing to record either
    session.add(
        AuditEntry(
            team_id=team_id,
            actor_id=actor,
            action="privacy.erase",
            subject_id=pseudonym,
            record_type="person",
            detail=detail,
            at=now,
        )
    )
    session.flush()
    return report


def _subject_rows(
    session: Session, table: Table, rule: TableRule, team_id: str, user_id: str, known: dict[str, list[int]]
) -> list[int]:
    if rule.subject is None:
        return []
    if isinstance(rule.subject, Link):
        parents = known.get(rule.subject.table) or []
        if not parents:
            return []
        return statements.ids_belonging_to(session, table, rule.subject.column, parents)
    name = rule.subject
    rows = statements.values_where(
        session, table, name, _team_scope(table, rule, team_id), _id_candidates(table, name, user_id, rule)
    )
    return [row_id for row_id, value in rows if _is_person(value, user_id, suffixed=name in rule.suffixed_ids)]


def _check_erasable(user_id: str) -> None:
    if is_pseudonym(user_id):
        raise ValueError(f"{user_id} is already a pseudonym: that person has been erased.")


def erase_person(
    db: Database, team_id: str, user_id: str, now: datetime, *, actor: str = CLI_ACTOR, detail: str | None = None
) -> ErasureReport:
    """Erase one person in one workspace, in one transaction, and record it (under the pseudonym) in the audit log."""
    _check_erasable(user_id)
    with db.unit_of_work() as session:
        pseudonym = _unused_pseudonym(session, team_id, user_id)
        return _erase_in(session, team_id, user_id, pseudonym, now, actor=actor, detail=detail)


def preview_erasure(db: Database, team_id: str, user_id: str, now: datetime) -> ErasureReport:
    """What `erase_person` would change: the same work, rolled back."""
    _check_erasable(user_id)
    with Session(db.engine) as session:
        try:
            return _erase_in(session, team_id, user_id, PSEUDONYM_PREFIX + "…", now, actor=CLI_ACTOR, detail=None)
        finally:
            session.rollback()


def _unused_pseudonym(session: Session, team_id: str, user_id: str) -> str:
    while True:
        pseudonym = new_pseudonym(team_id, user_id)
        if not statements.pseudonym_taken(session, team_id, pseudonym):
            return pseudonym


# --- retention ----------------------------------------------------------------------------------------------------
DEFAULT_RETENTION_DAYS = 2555  # seven years: common for staff records in English schools


@dataclass(frozen=True)
class RetentionReport:
    retention_days: int
    cutoff: datetime | None  # None when records are kept forever
    erased: list[ErasureReport]

    @property
    def pseudonyms(self) -> list[str]:
        return [report.pseudonym for report in self.erased]


def expired_people(
    session: Session, now: datetime, retention_days: int, team_id: str | None = None
) -> list[tuple[str, str]]:
    """(team, user) of everyone whose records have passed the retention period.

    That is: they were mentored at least once; every mentorship they were in, as mentee or as mentor, ended (or
    was due to end, if nobody ended it) more than `retention_days` ago; they hold no role; and they have done
    nothing in the bot since. Anyone still taking part is kept, whatever their old records.
    """
    cutoff = now - timedelta(days=retention_days)
    last_end: dict[tuple[str, str], date] = {}
    mentored: set[tuple[str, str]] = set()
    for team, mentor, mentee, end_date, ended_at in statements.mentorship_spans(session, team_id):
        ended_on = ended_at.date() if ended_at is not None else end_date
        for person in ((team, mentor), (team, mentee)):
            last_end[person] = max(last_end.get(person, ended_on), ended_on)
        mentored.add((team, mentee))
    candidates = {p for p in mentored if last_end[p] < cutoff.date() and not is_pseudonym(p[1])}
    if not candidates:
        return []
    return sorted(candidates - statements.role_holders(session) - statements.active_since(session, cutoff))


def erase_expired(
    db: Database, now: datetime, retention_days: int, *, team_id: str | None = None, dry_run: bool = False
) -> RetentionReport:
    """Erase everyone whose records have passed the retention period (0 days: keep forever); one transaction each."""
    if retention_days <= 0:
        return RetentionReport(retention_days, None, [])
    cutoff = now - timedelta(days=retention_days)
    with db.unit_of_work() as session:
        expired = expired_people(session, now, retention_days, team_id)
    detail = f"retention period of {retention_days} days"
    erased = []
    for team, user in expired:
        if dry_run:
            erased.append(preview_erasure(db, team, user, now))
        else:
            erased.append(erase_person(db, team, user, now, actor=RETENTION_ACTOR, detail=detail))
    if erased and not dry_run:
        log.info(
            "Retention (%d days): erased %d people: %s",
            retention_days,
            len(erased),
            ", ".join(r.pseudonym for r in erased),
        )
    return RetentionReport(retention_days, cutoff, erased)


def run_retention(
    deps_or_db: Deps | Database, now: datetime, *, retention_days: int | None = None, team_id: str | None = None
) -> RetentionReport:
    """The scheduler's entry point: RETENTION_DAYS from the settings of `Deps`, or given with a bare `Database`."""
    if isinstance(deps_or_db, Database):
        if retention_days is None:
            raise ValueError("run_retention(db, …) needs retention_days; pass Deps to use RETENTION_DAYS")
        db = deps_or_db
    else:
        db = deps_or_db.db
        if retention_days is None:
            retention_days = deps_or_db.settings.retention_days
    return erase_expired(db, now, retention_days, team_id=team_id)


# --- reading the audit log ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AuditTrail:
    entries: list[AuditEntry]  # newest first
    total: int  # entries there are altogether (for this person, if one was named)
    about: str | None


def audit_trail(db: Database, caller: Caller, *, about: str | None = None, limit: int = AUDIT_PAGE) -> AuditTrail:
    """The latest entries of the caller's workspace (by or about one person, if named). Admins only."""
    require(Action.READ_AUDIT_LOG, caller.standings)
    with db.unit_of_work() as session:
        entries, total = statements.audit_page(session, caller.team_id, about, limit)
        return AuditTrail(entries, total, about)
