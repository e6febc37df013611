"""UK GDPR tools: the registry covers every table, export finds everything, erasure keeps counts, retention."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, func, select, update

from bot.app.bootstrap import Deps
from bot.privacy import service as privacy
from bot.privacy.service import REGISTRY, collect, erase_expired, erase_person, preview_erasure, registry_problems
from storage.db import Database
from storage.digests import DeliveryKind, DigestDelivery
from storage.meetings import Meeting, MeetingRevision, MeetingTargetReview, ReviewOutcome
from storage.observations import Observation, ObservationEntry, ObservationRevision, Rating
from storage.reminders import ReminderSent
from storage.roster import AuditEntry, MenteeKind, Mentorship, Person, Role, RoleGrant, Workspace
from storage.schema import Base
from storage.targets import Target, TargetDraft

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
TEAM, OTHER_TEAM = "T0001", "T0002"
ADMIN, AMY, BEN, LEO, CAT = "UADMIN01", "UAMY0001", "UBEN0001", "ULEO0001", "UCAT0001"
STRENGTHS = "Warm, calm routines; pupils settled within a minute."
REFLECTION = "I rushed the plenary."
NOTES = "Talked through behaviour routines for Year 5."
TARGET = "Use hinge questions in every maths lesson."


def person(team: str, user: str, name: str, **extra: Any) -> Person:
    return Person(
        team_id=team,
        user_id=user,
        name=name.split()[0].lower(),
        real_name=name,
        email=f"{name.split()[0].lower()}@school.test",
        tz="Europe/London",
        refreshed_at=NOW,
        **extra,
    )


def seed_school(db: Database) -> dict[str, int]:
    """Amy mentors Ben (a trainee); one observation with a reflection, a meeting, targets, the audit trail.

    The same Slack id also appears in another workspace, which must never be touched.
    """
    with db.unit_of_work() as session:
        for team in (TEAM, OTHER_TEAM):
            session.add(Workspace(team_id=team, name=f"School {team}", created_at=NOW, updated_at=NOW))
        session.flush()
        session.add_all(
            [
                person(TEAM, ADMIN, "Hana Head", is_workspace_admin=True),
                person(TEAM, AMY, "Amy Mentor"),
                person(TEAM, BEN, "Ben Trainee"),
                person(TEAM, LEO, "Leo Lead"),
                person(TEAM, CAT, "Cat Colleague"),
                person(OTHER_TEAM, BEN, "Ben Elsewhere"),
                RoleGrant(team_id=TEAM, user_id=LEO, role=Role.LEAD, granted_by=ADMIN, granted_at=NOW),
                RoleGrant(team_id=TEAM, user_id=BEN, role=Role.SLT, granted_by=ADMIN, granted_at=NOW),
            ]
        )
        mentorship = Mentorship(
            team_id=TEAM,
            mentor_id=AMY,
            mentee_id=BEN,
            mentee_kind=MenteeKind.TRAINEE,
            start_date=date(2026, 9, 1),
            end_date=date(2027, 8, 31),
            created_by=ADMIN,
            created_at=NOW,
        )
        cats = Mentorship(
            team_id=TEAM,
            mentor_id=AMY,
            mentee_id=CAT,
            mentee_kind=MenteeKind.ECT,
            start_date=date(2026, 9, 1),
            end_date=date(2027, 8, 31),
            created_by=ADMIN,
            created_at=NOW,
        )
        elsewhere = Mentorship(
            team_id=OTHER_TEAM,
            mentor_id=LEO,
            mentee_id=BEN,
            mentee_kind=MenteeKind.ECT,
            start_date=date(2026, 9, 1),
            end_date=date(2027, 8, 31),
            created_by=ADMIN,
            created_at=NOW,
        )
        session.add_all([mentorship, cats, elsewhere])
        session.flush()
        observation = Observation(
            team_id=TEAM,
            teacher_id=BEN,
            observer_id=AMY,
            second_observer_id=CAT,
            mentorship_id=mentorship.id,
            form_key="ect",
            observed_on=date(2026, 11, 20),
            subject="Maths",
            class_group="Year 5",
            pupils=28,
            focus="Equivalent fractions",
            on_track=True,
            reflection=REFLECTION,
            reflection_next_steps="Use exit tickets.",
            reflected_at=NOW,
            submission_key="view-obs-1",
            teacher_message_channel="DBEN",
            teacher_message_ts="1.0001",
            created_at=NOW,
            updated_at=NOW,
        )
        observation.entries = [
            ObservationEntry(key="standard_3", position=2, rating=Rating.NOT_DEMONSTRATED, text="Misconception."),
            ObservationEntry(key="standard_7", position=6, rating=Rating.FULLY),
            ObservationEntry(key="strengths", position=9, text=STRENGTHS),
        ]
        session.add(observation)
        session.flush()
        session.add(
            ObservationRevision(
                observation_id=observation.id,
                changed_by=AMY,
                changed_at=NOW,
                changes={"Strengths": ["Calm.", STRENGTHS], "Second observer": [None, CAT]},
            )
        )
        meeting = Meeting(
            team_id=TEAM,
            mentorship_id=mentorship.id,
            mentee_id=BEN,
            author_id=AMY,
            held_on=date(2026, 11, 23),
            duration_minutes=45,
            notes=NOTES,
            wellbeing=4,
            wellbeing_note="Tired but positive.",
            submission_key="view-meet-1",
            signed_off_at=NOW,
            signed_off_by=BEN,
            mentee_comment="Agreed.",
            created_at=NOW,
            updated_at=NOW,
        )
        cats_meeting = Meeting(
            team_id=TEAM,
            mentorship_id=cats.id,
            mentee_id=CAT,
            author_id=AMY,
            held_on=date(2026, 11, 23),
            notes=f"Cat will watch <@{BEN}|ben> teach fractions.",
            submission_key="view-meet-2",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add_all([meeting, cats_meeting])
        session.flush()
        session.add(
            MeetingRevision(
                team_id=TEAM, meeting_id=meeting.id, changed_by=AMY, changed_at=NOW, changes={"notes": ["Old.", NOTES]}
            )
        )
        target = Target(
            team_id=TEAM,
            mentorship_id=mentorship.id,
            mentee_id=BEN,
            set_by=AMY,
            text=TARGET,
            due_on=date(2026, 12, 4),
            due_phrase="by next Friday",
            standards=["2", "6"],
            meeting_id=meeting.id,
            submission_key="view-meet-1:t1",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(target)
        session.flush()
        session.add_all(
            [
                MeetingTargetReview(
                    team_id=TEAM, meeting_id=meeting.id, target_id=target.id, outcome=ReviewOutcome.PROGRESSING
                ),
                TargetDraft(
                    team_id=TEAM,
                    key="draft-1",
                    mentorship_id=mentorship.id,
                    mentee_id=BEN,
                    set_by=AMY,
                    text="Mark books within a week.",
                    due_on=date(2026, 12, 11),
                    created_at=NOW,
                ),
                ReminderSent(
                    team_id=TEAM, mentorship_id=mentorship.id, period="meeting:weekly:2026-11-16", recipient_id=AMY,
                    claimed_at=NOW, channel="DAMY", ts="2.0001",
                ),
                DigestDelivery(
                    team_id=TEAM, week="2026-W48", kind=DeliveryKind.LEAD, recipient=LEO, created_at=NOW
                ),
                DigestDelivery(
                    team_id=TEAM, week="2026-W48", kind=DeliveryKind.ADMIN_NOTICE, recipient=f"{BEN}:setup",
                    channel="DBEN", created_at=NOW,
                ),
                AuditEntry(team_id=TEAM, actor_id=ADMIN, action="mentorship.assign", subject_id=BEN,
                           record_type="mentorship", record_id=mentorship.id, at=NOW),
                AuditEntry(team_id=TEAM, actor_id=AMY, action="observation.create", subject_id=BEN,
                           record_type="observation", record_id=observation.id, at=NOW),
                AuditEntry(team_id=TEAM, actor_id=BEN, action="observation.reflect", subject_id=BEN,
                           record_type="observation", record_id=observation.id, at=NOW),
                AuditEntry(team_id=OTHER_TEAM, actor_id=ADMIN, action="mentorship.assign", subject_id=BEN, at=NOW),
            ]
        )  # fmt: skip
        return {"mentorship": mentorship.id, "observation": observation.id, "meeting": meeting.id, "target": target.id}


def counts(db: Database) -> dict[str, int]:
    with db.unit_of_work() as session:
        return {
            table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def rows_holding(db: Database, text: str, *, skip_team: str = OTHER_TEAM) -> list[str]:
    """Every stored row (outside `skip_team`) in which `text` appears anywhere, as "table: row"."""
    found = []
    with db.unit_of_work() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                if row.get("team_id") == skip_team:
                    continue
                dumped = json.dumps(privacy.jsonable(dict(row)), ensure_ascii=False)
                if text in dumped:
                    found.append(f"{table.name}: {dumped}")
    return found


# --- the registry ------------------------------------------------------------------------------------------------
def test_every_table_and_column_is_classified_for_export_and_erasure() -> None:
    problems = registry_problems()
    assert problems == [], (
        "The privacy registry (bot/services/privacy.py, REGISTRY) must say, for every table and column, whether it "
        "holds a person's Slack id, free text, other personal data or nothing personal. Fix:\n  "
        + "\n  ".join(problems)
    )
    assert set(REGISTRY) == set(Base.metadata.tables)


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


def test_csv_cells_never_start_a_spreadsheet_formula(db: Database) -> None:
    seed_school(db)
    with db.unit_of_work() as session:
        session.execute(update(Observation).values(reflection='=HYPERLINK("http://x")'))
    with db.unit_of_work() as session:
        data = collect(session, TEAM, BEN, NOW)

    [cell] = [r["value"] for r in csv.DictReader(io.StringIO(privacy.to_csv(data))) if r["column"] == "reflection"]
    assert cell == '\'=HYPERLINK("http://x")'


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
        assert (observation.subject, observation.on_track, observation.observed_on) == (
            "Maths",
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
    assert "observations: blank focus, reflection, reflection_next_steps" in described
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
def _mentee(session: Any, user: str, *, start: date, end: date, ended: datetime | None, mentor: str = AMY) -> None:
    session.add(person(TEAM, user, f"{user.title()} Person"))
    session.add(
        Mentorship(
            team_id=TEAM,
            mentor_id=mentor,
            mentee_id=user,
            mentee_kind=MenteeKind.TRAINEE,
            start_date=start,
            end_date=end,
            created_by=ADMIN,
            created_at=NOW,
            ended_at=ended,
            ended_by=ADMIN if ended else None,
        )
    )


def seed_retention(db: Database) -> None:
    long_ago = datetime(2018, 7, 20, tzinfo=UTC)
    with db.unit_of_work() as session:
        session.add(Workspace(team_id=TEAM, created_at=NOW, updated_at=NOW))
        session.flush()
        session.add(person(TEAM, AMY, "Amy Mentor"))
        _mentee(session, "UOLD0001", start=date(2017, 9, 1), end=date(2018, 8, 31), ended=long_ago)
        _mentee(session, "UNEVER01", start=date(2017, 9, 1), end=date(2018, 8, 31), ended=None)  # nobody ended it
        _mentee(session, "URECENT1", start=date(2024, 9, 1), end=date(2025, 8, 31), ended=NOW - timedelta(days=400))
        _mentee(session, "ULIVE001", start=date(2026, 9, 1), end=date(2027, 8, 31), ended=None)
        # Mentored long ago, but a mentor now: still here.
        _mentee(session, "UNOWMENT", start=date(2017, 9, 1), end=date(2018, 8, 31), ended=long_ago)
        session.add(
            Mentorship(
                team_id=TEAM, mentor_id="UNOWMENT", mentee_id="ULIVE002", mentee_kind=MenteeKind.ECT,
                start_date=date(2026, 9, 1), end_date=date(2027, 8, 31), created_by=ADMIN, created_at=NOW,
            )
        )  # fmt: skip
        # Mentored long ago, now a lead mentor: still here.
        _mentee(session, "UNOWLEAD", start=date(2017, 9, 1), end=date(2018, 8, 31), ended=long_ago)
        session.add(RoleGrant(team_id=TEAM, user_id="UNOWLEAD", role=Role.LEAD, granted_by=ADMIN, granted_at=NOW))
        # Mentored long ago, and used the bot last month (e.g. observed as a workspace admin): still here.
        _mentee(session, "UACTIVE1", start=date(2017, 9, 1), end=date(2018, 8, 31), ended=long_ago)
        session.add(
            AuditEntry(team_id=TEAM, actor_id="UACTIVE1", action="observation.read", at=NOW - timedelta(days=30))
        )


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
