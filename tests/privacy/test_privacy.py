"""UK GDPR tools: the registry covers every table, export finds everything, erasure keeps counts, retention."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest
from sqlalchemy import JSON, Column, Enum, ForeignKey, Integer, MetaData, String, Table, Text, func, select, update

from bot.app.bootstrap import Deps
from bot.privacy import service as privacy
from bot.privacy.service import REGISTRY, collect, erase_expired, erase_person, preview_erasure, registry_problems
from storage.db import Database
from storage.meetings import Meeting
from storage.observations import Observation, ObservationRevision, Rating
from storage.roster import AuditEntry, Mentorship, Person
from storage.schema import Base
from storage.targets import Target
from tests.support.people import AMY, BEN, CAT, OTHER_TEAM, TEAM
from tests.support.privacy import (
    NOTES,
    NOW,
    REFLECTION,
    STRENGTHS,
    TARGET,
    rows_holding,
    seed_retention,
    seed_school,
)


def counts(db: Database) -> dict[str, int]:
    with db.unit_of_work() as session:
        return {
            table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


# --- the registry ------------------------------------------------------------------------------------------------
def test_every_table_and_column_is_classified_for_export_and_erasure() -> None:
    problems = registry_problems()
    assert problems == [], (
        "The privacy registry (bot/privacy/registry.py, REGISTRY) must say, for every table and column, whether it "
        "holds a person's Slack id, free text, other personal data or nothing personal. Fix:\n  "
        + "\n  ".join(problems)
    )
    assert set(REGISTRY) == set(Base.metadata.tables)


# Columns that can hold longer text yet are classed as nothing personal, and why no one types into them.
# A text column that people can type into is free text: erasure blanks it.
KEPT_TEXT = {
    "workspaces.name": "the Slack workspace's name, the school's",
    "audit_log.detail": "field labels, roles, channel ids and the retention period, never what was typed",
    "digest_deliveries.last_error": "a Slack error code or an exception's class name",
    "digest_snapshots.numbers": "school-wide counts, no names or ids",
    "targets.standards": "Teachers' Standards numbers",
    "target_drafts.standards": "Teachers' Standards numbers",
    "reviews.target_ids": "ids of the targets a review set",
    "submission_keys.key": "a label and a digest of Slack's id for a request, never anything typed",
    "concerns.standards": "Teachers' Standards numbers picked from a menu",
    "support_plans.standards": "Teachers' Standards numbers picked from a menu",
    "warning_episodes.episode_key": "which rule and which records started the episode: ids and dates",
    # OAuth installations: what Slack says of the workspace and the grant, never typed by a person in the bot
    "slack_installations.team_name": "the Slack workspace's name, the school's",
    "slack_installations.enterprise_name": "the Enterprise Grid org's name",
    "slack_installations.enterprise_url": "the Enterprise Grid org's Slack address",
    "slack_installations.bot_scopes": "the scopes granted, e.g. chat:write",
    "slack_installations.user_scopes": "the scopes granted (none are asked for)",
    "slack_installations.incoming_webhook_channel": "a channel name (no incoming webhook is asked for)",
    "slack_installations.incoming_webhook_channel_id": "a channel id (no incoming webhook is asked for)",
    "slack_bots.team_name": "the Slack workspace's name, the school's",
    "slack_bots.enterprise_name": "the Enterprise Grid org's name",
    "slack_bots.bot_scopes": "the scopes granted, e.g. chat:write",
    "certification_reflections.standards": "mentor standard keys picked from a menu",
    "certification_reflections.records": "ids of the mentor's own meetings and observations, picked from a menu",
}


def test_text_columns_people_type_into_are_free_text() -> None:
    kept = {
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.name in REGISTRY[table.name].other
        and not isinstance(column.type, Enum)
        and (
            isinstance(column.type, Text | JSON) or (isinstance(column.type, String) and (column.type.length or 0) > 64)
        )
    }

    assert kept == set(KEPT_TEXT), (
        "A text column classed as nothing personal (`other`) must be one nobody types into: move it to free_text, "
        "or say in KEPT_TEXT why it holds nothing a person wrote"
    )
    observations = REGISTRY["observations"]
    assert {"subject", "class_group", "focus"} <= set(observations.free_text)  # "Ben's Y5 set" is typed text


def test_a_new_table_or_column_that_is_not_classified_is_named() -> None:
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        copied = table.to_metadata(metadata)
        if table.name == "meetings":
            copied.append_column(Column("private_note", String(500)))
    Table(
        "digest_recipients",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("team_id", ForeignKey("workspaces.team_id")),
        Column("user_id", String(32)),
    )

    problems = registry_problems(metadata)

    assert any(p.startswith("table digest_recipients is not in REGISTRY") and "user_id" in p for p in problems)
    assert any(p.startswith("meetings.private_note is not classified") for p in problems)
    assert len(problems) == 2


def test_export_and_erasure_refuse_to_run_while_a_table_is_unclassified(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_school(db)
    monkeypatch.delitem(REGISTRY, "targets")

    with pytest.raises(privacy.RegistryIncomplete, match="table targets is not in REGISTRY"):
        privacy.export_person(db, TEAM, BEN, NOW)
    with pytest.raises(privacy.RegistryIncomplete):
        erase_person(db, TEAM, BEN, NOW)
    assert rows_holding(db, STRENGTHS)  # nothing was erased


# --- export ------------------------------------------------------------------------------------------------------
def test_the_export_holds_every_record_that_mentions_the_mentee(db: Database) -> None:
    ids = seed_school(db)

    with db.unit_of_work() as session:
        data = collect(session, TEAM, BEN, NOW)

    got = {table: [row.values.get("id") for row in rows] for table, rows in data.records.items() if rows}
    assert set(got) == {
        "people",
        "role_grants",
        "mentorships",
        "audit_log",
        "observations",
        "observation_entries",
        "observation_revisions",
        "meetings",
        "meeting_target_reviews",
        "meeting_revisions",
        "targets",
        "target_drafts",
        "digest_deliveries",
    }
    assert data.person() is not None and data.person()["real_name"] == "Ben Trainee"  # type: ignore[index]
    assert len(got["meetings"]) == 2  # theirs, and Cat's whose notes mention them
    [observation] = data.rows("observations")
    assert observation.values["reflection"] == REFLECTION
    assert set(observation.mentions) == {"teacher_id"}
    assert {e.values["text"] for e in data.rows("observation_entries")} >= {STRENGTHS}
    assert all(e.mentions == (f"part of observations {ids['observation']}",) for e in data.rows("observation_entries"))
    [target] = data.rows("targets")
    assert target.values["text"] == TARGET
    [notice] = data.rows("digest_deliveries")
    assert notice.values["recipient"] == f"{BEN}:setup"
    assert len(data.rows("audit_log")) == 3
    # Another workspace's records of the same Slack id are not this workspace's to give.
    assert all(row.values.get("team_id") in (TEAM, None) for rows in data.records.values() for row in rows)
    assert data.names[AMY] == "Amy Mentor"


def test_the_export_of_a_mentor_holds_what_they_wrote_and_received(db: Database) -> None:
    seed_school(db)

    with db.unit_of_work() as session:
        data = collect(session, TEAM, AMY, NOW)

    assert [o.mentions for o in data.rows("observations")] == [("observer_id",)]
    assert {m.values["mentee_id"] for m in data.rows("meetings")} == {BEN, CAT}
    assert len(data.rows("reminders_sent")) == 1
    assert data.rows("digest_deliveries") == []
    assert {r.values["changed_by"] for r in data.rows("observation_revisions")} == {AMY}


def test_the_json_csv_and_pdf_hold_the_records(db: Database) -> None:
    seed_school(db)
    with db.unit_of_work() as session:
        data = collect(session, TEAM, BEN, NOW)

    document = json.loads(privacy.to_json(data))
    rows = list(csv.DictReader(io.StringIO(privacy.to_csv(data))))
    pdf = privacy.render_pdf(data)

    assert document["export"]["user_id"] == BEN and document["export"]["records"] == data.count
    assert document["tables"]["observations"][0]["reflection"] == REFLECTION
    assert document["tables"]["observations"][0]["observed_on"] == "2026-11-20"
    assert document["tables"]["reminders_sent"] == []
    assert {"table": "targets", "column": "text", "value": TARGET}.items() <= next(
        r for r in rows if r["table"] == "targets" and r["column"] == "text"
    ).items()
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000


# What a person typed -> the CSV cell a spreadsheet opens: anything a spreadsheet could read as a formula
# (after leading spaces, or written with a full-width or small look-alike sign) starts with an apostrophe.
CSV_CELLS = [
    ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
    ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("\uff1dHYPERLINK(1)", "'\uff1dHYPERLINK(1)"),  # full-width =
    ("\uff0b1+1", "'\uff0b1+1"),  # full-width +
    ("\uff0d1+1", "'\uff0d1+1"),  # full-width -
    ("\uff20SUM(A1)", "'\uff20SUM(A1)"),  # full-width @
    ("\ufe66cmd", "'\ufe66cmd"),  # small =
    ("\u22121+1", "'\u22121+1"),  # minus sign
    (" =1+1", "' =1+1"),
    ("   @SUM(A1)", "'   @SUM(A1)"),
    ("\t \r+1", "'\t \r+1"),
    ("\n-1+1", "'\n-1+1"),
    ("\u00a0=1+1", "'\u00a0=1+1"),  # no-break space
    ("\u3000\uff1d1+1", "'\u3000\uff1d1+1"),  # ideographic space, then a full-width =
    ("\u200b=1+1", "'\u200b=1+1"),  # zero-width space
    ("\u200b \ufeff\uff20x", "'\u200b \ufeff\uff20x"),
    # Ordinary text is left as it is.
    ("I rushed the plenary.", "I rushed the plenary."),
    ("Year 5 = good; 3 - 1 pupils; ask me@school.test", "Year 5 = good; 3 - 1 pupils; ask me@school.test"),
    ("Ｙear 5 ＝ good", "Ｙear 5 ＝ good"),
]


def test_csv_cells_never_start_a_spreadsheet_formula(db: Database) -> None:
    seed_school(db)
    cells = {}
    for typed, _ in CSV_CELLS:
        with db.unit_of_work() as session:
            session.execute(update(Observation).values(reflection=typed))
        with db.unit_of_work() as session:
            data = collect(session, TEAM, BEN, NOW)
        csv_text = privacy.to_csv(data)
        [cells[typed]] = [
            r["value"] for r in csv.DictReader(io.StringIO(csv_text, newline="")) if r["column"] == "reflection"
        ]

    assert cells == dict(CSV_CELLS)


def test_the_export_is_recorded_in_the_audit_log(db: Database) -> None:
    seed_school(db)

    privacy.export_person(db, TEAM, BEN, NOW)

    with db.unit_of_work() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.export")).one()
    assert (entry.team_id, entry.actor_id, entry.subject_id) == (TEAM, "privacy-cli", BEN)


# --- erasure -----------------------------------------------------------------------------------------------------
def test_erasure_removes_identity_and_texts_but_keeps_the_counts(db: Database) -> None:
    ids = seed_school(db)
    before = counts(db)

    report = erase_person(db, TEAM, BEN, NOW)

    pseudonym = report.pseudonym
    assert re.fullmatch(r"UERASED[0-9A-F]{10}", pseudonym)
    after = counts(db)
    kept = before | {"role_grants": before["role_grants"] - 1, "target_drafts": 0, "digest_deliveries": 1}
    assert after == kept | {"audit_log": before["audit_log"] + 1}
    for text in (BEN, STRENGTHS, REFLECTION, NOTES, TARGET, "Ben Trainee", "ben@school.test", "Tired but positive"):
        assert rows_holding(db, text) == [], text
    with db.unit_of_work() as session:
        ben = session.scalars(select(Person).where(Person.team_id == TEAM, Person.user_id == pseudonym)).one()
        assert (ben.name, ben.real_name, ben.email, ben.tz, ben.deleted) == ("[erased]", None, None, None, True)
        observation = session.get(Observation, ids["observation"])
        assert observation is not None
        assert (observation.teacher_id, observation.observer_id) == (pseudonym, AMY)
        assert (observation.reflection, observation.focus, observation.teacher_message_channel) == (None, None, None)
        assert (observation.subject, observation.class_group, observation.on_track, observation.observed_on) == (
            None,
            None,
            True,
            date(2026, 11, 20),
        )
        assert {e.key: (e.rating, e.text) for e in observation.entries} == {
            "standard_3": (Rating.NOT_DEMONSTRATED, None),
            "standard_7": (Rating.FULLY, None),
            "strengths": (None, None),
        }
        meeting = session.get(Meeting, ids["meeting"])
        assert meeting is not None
        assert (meeting.mentee_id, meeting.notes, meeting.wellbeing_note, meeting.wellbeing) == (
            pseudonym,
            "[erased]",
            None,
            4,
        )
        target = session.get(Target, ids["target"])
        assert target is not None and (target.text, target.standards, target.mentee_id) == (
            "[erased]",
            ["2", "6"],
            pseudonym,
        )
        revision = session.scalars(select(ObservationRevision)).one()
        assert revision.changes == {"Strengths": ["[erased]", "[erased]"], "Second observer": [None, "[erased]"]}
        mentorship = session.get(Mentorship, ids["mentorship"])
        assert mentorship is not None and mentorship.ended_at is not None and mentorship.ended_by == "privacy-cli"
        cats = session.scalars(select(Meeting).where(Meeting.mentee_id == CAT)).one()
        assert cats.notes == f"Cat will watch <@{pseudonym}|ben> teach fractions."
        erasure = session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.erase")).one()
        assert (erasure.actor_id, erasure.subject_id, erasure.team_id) == ("privacy-cli", pseudonym, TEAM)
        # Someone else's records are untouched, and so is the same id in another workspace.
        assert session.scalars(select(Person.real_name).where(Person.user_id == AMY)).one() == "Amy Mentor"
        elsewhere = session.scalars(select(Person).where(Person.team_id == OTHER_TEAM)).one()
        assert (elsewhere.user_id, elsewhere.real_name) == (BEN, "Ben Elsewhere")
        assert session.scalar(
            select(func.count()).where(AuditEntry.team_id == OTHER_TEAM, AuditEntry.subject_id == BEN)
        )


def test_erasing_a_mentor_keeps_their_mentees_records(db: Database) -> None:
    ids = seed_school(db)

    report = erase_person(db, TEAM, AMY, NOW)

    with db.unit_of_work() as session:
        observation = session.get(Observation, ids["observation"])
        assert observation is not None
        assert (observation.observer_id, observation.teacher_id) == (report.pseudonym, BEN)
        assert observation.reflection == REFLECTION and observation.text("strengths") == STRENGTHS
        meeting = session.get(Meeting, ids["meeting"])
        assert meeting is not None and (meeting.author_id, meeting.notes) == (report.pseudonym, NOTES)
    assert rows_holding(db, AMY) == []


def test_the_preview_says_what_would_change_and_changes_nothing(db: Database) -> None:
    seed_school(db)
    before = counts(db)

    plan = preview_erasure(db, TEAM, BEN, NOW)

    assert plan.found
    described = "\n".join(plan.describe())
    assert "role_grants: delete 1 row" in described
    assert "observations: blank subject, class_group, focus, reflection, reflection_next_steps" in described
    assert "mentorships: end 1 live mentorship" in described
    assert counts(db) == before and rows_holding(db, STRENGTHS) != []


def test_erasing_someone_nothing_is_held_about_changes_nothing(db: Database) -> None:
    seed_school(db)
    before = counts(db)

    assert not erase_person(db, TEAM, "UNOBODY01", NOW).found
    assert counts(db) == before
    with pytest.raises(ValueError, match="already a pseudonym"):
        erase_person(db, TEAM, "UERASED0123456789", NOW)


def test_pseudonyms_are_fresh_each_time() -> None:
    names = {privacy.new_pseudonym(TEAM, BEN) for _ in range(20)}
    assert len(names) == 20 and all(re.fullmatch(r"UERASED[0-9A-F]{10}", n) for n in names)


# --- retention ---------------------------------------------------------------------------------------------------


def people_left(db: Database) -> set[str]:
    with db.unit_of_work() as session:
        return {p for p in session.scalars(select(Person.user_id)) if not p.startswith("UERASED")}


def test_retention_erases_only_people_whose_records_have_expired(db: Database) -> None:
    seed_retention(db)

    report = erase_expired(db, NOW, 2555)

    assert len(report.erased) == 2
    assert people_left(db) == {AMY, "URECENT1", "ULIVE001", "UNOWMENT", "UNOWLEAD", "UACTIVE1"}
    with db.unit_of_work() as session:
        erasures = session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.erase")).all()
        never_ended = session.scalars(select(Mentorship).where(Mentorship.start_date == date(2017, 9, 1))).all()
    assert {(e.actor_id, e.detail) for e in erasures} == {("privacy-retention", "retention period of 2555 days")}
    assert {e.subject_id for e in erasures} == set(report.pseudonyms)
    assert all(m.ended_at is not None for m in never_ended)
    assert erase_expired(db, NOW, 2555).erased == []  # nothing left to do


def test_retention_of_zero_days_keeps_everything(db: Database) -> None:
    seed_retention(db)

    report = erase_expired(db, NOW, 0)

    assert report.erased == [] and report.cutoff is None
    assert "UOLD0001" in people_left(db)


def test_a_shorter_retention_period_reaches_more_recent_leavers(db: Database) -> None:
    seed_retention(db)

    erase_expired(db, NOW, 365, dry_run=True)
    assert "URECENT1" in people_left(db)
    erase_expired(db, NOW, 365)
    assert "URECENT1" not in people_left(db) and "ULIVE001" in people_left(db)


def test_run_retention_reads_retention_days_from_the_settings(deps: Deps) -> None:
    seed_retention(deps.db)
    assert deps.settings.retention_days == 2555

    report = privacy.run_retention(deps, NOW)

    assert len(report.erased) == 2
    with pytest.raises(ValueError, match="needs retention_days"):
        privacy.run_retention(deps.db, NOW)
    assert privacy.run_retention(deps.db, NOW, retention_days=0).erased == []
