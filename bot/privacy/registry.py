"""The privacy registry: for every table, which columns hold a person's Slack id, free text or other personal
data, and which hold nothing personal; the check that fails the build on an unclassified column
(`registry_problems`, run by tests/privacy/test_privacy.py, and by export and erasure before they start); and the
helpers that find a person's rows and pseudonymise them, shared by export and erasure.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import MetaData, Table

from storage import privacy as statements
from storage.queries import export as queries
from storage.schema import Base

PSEUDONYM_PREFIX = "UERASED"
ERASED_TEXT = "[erased]"


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
        # The lesson's subject and class are typed ("Ben's Y5 set"), so they are free text too.
        free_text=("subject", "class_group", "focus", "reflection", "reflection_next_steps"),
        personal=("teacher_message_channel", "teacher_message_ts"),
        other=_cols(
            "id team_id mentorship_id form_key observed_on pupils duration_minutes on_track "
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
            "id team_id mentorship_id held_on duration_minutes wellbeing wellbeing_note_private next_meeting_on "
            "submission_key "
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
    "nudges": TableRule(
        holds="a digest's Nudge DMs to a mentor with missing meeting logs, one a day, and who sent it",
        person_ids=("mentor_id", "nudged_by"),
        other=("id", "team_id", "day", "sent_at"),
        subject="mentor_id",
        on_erase=Erase.DELETE,
    ),
    "submission_keys": TableRule(
        holds="keys of requests already acted on (digests of Slack's view and trigger ids); no names or text",
        other=("id", "team_id", "key", "created_at"),
    ),
    "inductions": TableRule(
        holds="an ECT's induction details: dates, hours and absence kept; the teacher reference number and date of "
        "birth are personal",
        person_ids=("mentee_id", "tutor_id", "updated_by"),
        # The appropriate body is typed into the induction form, so it is free text.
        free_text=("appropriate_body",),
        personal=("trn", "date_of_birth"),
        other=_cols("id team_id mentorship_id start_date fte_percent days_absent left_on created_at updated_at"),
        subject="mentee_id",
    ),
    "review_points": TableRule(
        holds="a trainee's review points as the provider named and dated them",
        person_ids=("mentee_id", "created_by"),
        free_text=("name",),  # typed by whoever sets the provider's points
        other=("id", "team_id", "mentorship_id", "due_on", "created_at"),
        subject="mentee_id",
    ),
    "reviews": TableRule(
        holds="progress reviews and assessments: dates and outcome kept; evidence, quoted records and answers are "
        "the teacher's",
        person_ids=("mentee_id", "author_id"),
        # A provider review's title is its point's typed name, so titles are free text.
        free_text=("title", "evidence", "figures", "answers"),
        other=_cols(
            "id team_id mentorship_id kind point_key term_number period_start period_end version supersedes_id "
            "on_track outcome target_ids status submission_key created_at locked_at"
        ),
        subject="mentee_id",
    ),
    "review_signatures": TableRule(
        holds="who signed each review and when, with their comment",
        person_ids=("signer_id",),
        free_text=("comment",),
        other=("id", "team_id", "review_id", "capacity", "signed_at"),
        subject=Link("review_id", "reviews"),
    ),
    "review_reminders": TableRule(
        holds="review reminders sent to reviewers, once per review and notice",
        person_ids=("recipient_id",),
        other=("id", "team_id", "mentorship_id", "point_key", "notice", "claimed_at"),
        subject="recipient_id",
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
        other=_cols("id team_id kind episode_key raised_at cleared_at"),
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
                f"table {table.name} is not in REGISTRY (bot/privacy/registry.py): add a TableRule putting each of "
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
                    f"{table.name}.{name} is not classified in REGISTRY (bot/privacy/registry.py): add it to "
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
