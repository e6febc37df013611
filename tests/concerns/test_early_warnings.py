"""Early warnings: each rule fires once on records built for it and never on a healthy mentorship; the thresholds
come from a TOML file a school can replace; the lead sees them on Home and in the digest, with Raise a concern."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from bot.app.bootstrap import Deps
from bot.app.scheduler import WARNINGS_JOB, build_scheduler
from bot.app.settings import SettingsError, load_settings
from bot.concerns.warnings import WarningService
from bot.core.early_warnings import ThresholdsError, load_thresholds
from bot.digests.service import Week
from handlers.concerns import ids
from handlers.digests.blocks import lead_digest
from storage.concerns import WarningEpisode
from storage.db import Database
from storage.meetings import Meeting
from storage.observations import Rating
from storage.roster import MenteeKind, Mentorship, Role
from tests.home.test_home import open_home, text_of
from tests.support.clock import FakeClock
from tests.support.concerns import click
from tests.support.digests import meeting_row, mentorship_row, observation_row, target_row
from tests.support.driver import SlackDriver
from tests.support.emulator import SlackEmulator
from tests.support.people import AMY, BEN, CAL, CAT, DEV, EVA, LEO, LIA, LONDON, NOW, SAM, TEAM
from tests.support.school import add_people, seed_roster
from tests.support.slack import block_text

SEPT = datetime(2026, 9, 2, 9, 0, tzinfo=UTC)
HEALTHY = BEN
EXPECTED = {
    (CAL, "not_demonstrated"),
    (DEV, "missed_meetings"),
    (EVA, "target_carried"),
    (CAT, "wellbeing"),
    (LIA, "reflection_owed"),
}


def _observation(teacher: str, on: date, rating: Rating, *, reflected: bool = True) -> object:
    ratings = {"standard_4": rating, "standard_7": Rating.PARTLY}
    return observation_row(teacher, AMY, on, ratings, reflected_at=SEPT if reflected else None)


def seed(db: Database) -> None:
    """Amy mentors six people: Ben is doing well; each of the others shows one early-warning sign."""
    mentees = [HEALTHY, CAL, DEV, EVA, CAT, LIA]
    rows = [mentorship_row(AMY, mentee, MenteeKind.ECT) for mentee in mentees]
    seed_roster(
        db, at=SEPT, people=[AMY, LEO, SAM, *mentees], roles={LEO: [Role.LEAD], SAM: [Role.SLT]}, mentorships=rows
    )
    by_mentee = {m.mentee_id: m for m in rows}
    with db.unit_of_work() as session:
        for mentee, m in by_mentee.items():
            if mentee == DEV:  # three weekly meetings missed since 2 November
                session.add(meeting_row(m, date(2026, 11, 2)))
                continue
            for day, score in ((date(2026, 11, 17), 4), (date(2026, 11, 23), 2 if mentee == CAT else 4)):
                meeting = meeting_row(m, day)
                meeting.wellbeing = score
                session.add(meeting)
        for mentee in mentees:
            weak = Rating.NOT_DEMONSTRATED if mentee == CAL else Rating.PARTLY
            session.add(_observation(mentee, date(2026, 11, 10), weak))
            session.add(_observation(mentee, date(2026, 11, 20), weak, reflected=mentee != LIA))
        session.add(_observation(LIA, date(2026, 11, 2), Rating.PARTLY, reflected=False))
        session.add(target_row(by_mentee[EVA], SEPT, date(2026, 11, 13), carried_count=2))
        session.add(target_row(by_mentee[HEALTHY], SEPT, date(2026, 11, 27), carried_count=1))


def episodes(db: Database) -> int:
    with db.unit_of_work() as session:
        return int(session.scalar(select(func.count()).select_from(WarningEpisode)) or 0)


def test_each_rule_fires_once_on_its_records_and_never_on_a_healthy_mentorship(db: Database, deps: Deps) -> None:
    seed(db)
    raised = deps.warnings.refresh(TEAM, NOW)
    assert {(w.mentee_id, w.kind) for w in raised} == EXPECTED
    evidence = {w.kind: w.evidence for w in raised}
    assert (
        evidence["not_demonstrated"] == "Standard 4 rated Not demonstrated in 2 observations in a row (10 Nov, 20 Nov)"
    )
    assert evidence["missed_meetings"].startswith("3 meetings missed in a row (due 9 Nov, 16 Nov, 23 Nov)")
    assert evidence["wellbeing"] == "wellbeing fell from 4 to 2 (17 Nov, 23 Nov)"
    assert evidence["target_carried"] == "a target carried past 2 meetings (due 13 Nov)"
    assert evidence["reflection_owed"] == "1 reflection owed for over 14 days (observed 2 Nov)"

    later = deps.warnings.refresh(TEAM, datetime(2026, 11, 25, 9, 0, tzinfo=LONDON))
    assert [w.id for w in later] == [w.id for w in raised]  # the same episodes: raised once, not every day
    assert episodes(db) == len(EXPECTED)
    assert build_scheduler(deps).get_job(WARNINGS_JOB) is not None


def run_the_hourly_check(deps: Deps) -> None:
    job = build_scheduler(deps).get_job(WARNINGS_JOB)
    job.func(*job.args)


def warnings_on_home(slack: SlackDriver) -> str:
    """The lead's Early warnings section as shown."""
    return text_of(open_home(slack, LEO)).split("*Early warnings*")[1].split("*Support plans*")[0]


def test_a_warning_leaves_the_leads_home_once_it_stops_holding_and_comes_back_if_it_holds_again(
    db: Database, deps: Deps, slack: SlackDriver, emulator: SlackEmulator
) -> None:
    seed(db)
    add_people(emulator, AMY, LEO, SAM, HEALTHY, CAL, DEV, EVA, CAT, LIA)
    run_the_hourly_check(deps)
    assert f"<@{DEV}>: " in warnings_on_home(slack)
    with db.unit_of_work() as session:  # Dev's mentor catches up: a meeting this week
        [mentorship] = [m for m in session.scalars(select(Mentorship)) if m.mentee_id == DEV]
        session.add(meeting_row(mentorship, date(2026, 11, 24)))
    run_the_hourly_check(deps)
    assert "*Early warnings* (4)" in text_of(open_home(slack, LEO))
    assert f"<@{DEV}>: " not in warnings_on_home(slack)
    with db.unit_of_work() as session:
        session.execute(delete(Meeting).where(Meeting.mentee_id == DEV, Meeting.held_on == date(2026, 11, 24)))
    run_the_hourly_check(deps)
    assert f"<@{DEV}>: " in warnings_on_home(slack)
    assert episodes(db) == len(EXPECTED)  # the same episode held again, not a new one


def test_a_school_changes_the_thresholds_in_its_own_file(
    db: Database, deps: Deps, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(db)
    path = tmp_path / "warnings.toml"
    path.write_text("not_demonstrated_in_a_row = 3\nreflection_owed_days = 30\n")
    strict = WarningService(db, deps.calendar, LONDON, load_thresholds(path))
    kinds = {(w.mentee_id, w.kind) for w in strict.evaluate(TEAM, NOW.date())}
    assert kinds == EXPECTED - {(CAL, "not_demonstrated"), (LIA, "reflection_owed")}
    path.write_text("wellbeing_fall = 3\n")
    with pytest.raises(ThresholdsError, match="unknown setting"):
        load_thresholds(path)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s" * 32)
    monkeypatch.setenv("EARLY_WARNINGS", str(path))
    with pytest.raises(SettingsError, match=r"EARLY_WARNINGS is wrong .*unknown setting"):
        load_settings(env_file=None)


def test_the_lead_sees_them_on_home_and_in_the_digest_and_raises_a_concern_from_one(
    db: Database, deps: Deps, slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock
) -> None:
    seed(db)
    add_people(emulator, AMY, LEO, SAM, HEALTHY, CAL, DEV, EVA, CAT, LIA)
    assert "Early warnings" not in text_of(open_home(slack, LEO))  # Home reads what the hourly check stored
    run_the_hourly_check(deps)
    home = open_home(slack, LEO)
    shown = text_of(home)
    assert "*Early warnings* (5)" in shown
    assert "<@UCAL0001>: the same standard not demonstrated in a row: Standard 4 rated Not demonstrated" in shown
    assert f"<@{HEALTHY}>: " not in shown.split("*Early warnings*")[1].split("*Support plans*")[0]
    assert "Early warnings" not in text_of(open_home(slack, AMY))

    school = deps.digests.add_warnings(deps.digests.build(TEAM, Week.containing(NOW.date())))
    digest = "\n".join(block_text(m.blocks) for m in lead_digest(school).messages)
    assert "*Early warnings* (raised this week, once each)" in digest and "wellbeing fell from 4 to 2" in digest

    [cal] = [w for w in school.early_warnings if w.mentee_id == CAL]
    modal, _ = click(slack, ids.FROM_WARNING, cal.id, user=LEO)
    assert modal is not None and modal["callback_id"] == ids.RAISE_CALLBACK
    evidence = next(b["element"]["initial_value"] for b in modal["blocks"] if b.get("block_id") == "what_seen")
    assert evidence.startswith("Early warning from the records: Standard 4 rated Not demonstrated")
    plan, _ = click(slack, ids.START_PLAN, CAL, user=LEO)
    assert plan is not None and plan["callback_id"] == ids.PLAN_CALLBACK
