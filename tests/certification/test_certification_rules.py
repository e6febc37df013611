"""Certification rules below Slack: the scheme file (a provider's own, checked at start-up), panel reminders a
month and a week before (once each), the lead level's evidence of supporting other mentors, hours typed in
the ways people type them, and the privacy export and erasure of a mentor's certification record."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from bot.app.bootstrap import Deps
from bot.app.scheduler import send_panel_reminders
from bot.app.settings import Settings
from bot.certification.scheme import SchemeError, default_scheme_path, load_scheme
from bot.certification.service import ReflectionDraft, TrainingDraft, parse_hours
from bot.privacy import service as privacy
from bot.privacy.export_files import to_json
from storage.db import Database
from storage.digests import Nudge
from tests.cross.school import directory, observation_draft
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver
from tests.support.emulator import SlackEmulator
from tests.support.people import ADMIN, AMY, BEN, CAL, LEO, LONDON, SIGNING_SECRET, TEAM
from tests.support.school import add_people, enrol


@pytest.fixture
def school(slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock) -> None:
    add_people(emulator, ADMIN, AMY, BEN, CAL, LEO)
    enrol(slack, clock, mentees={BEN: "trainee", CAL: "ect"}, days_ago=84)


# --- the scheme file ------------------------------------------------------------------------------------------------


def test_the_shipped_scheme_has_the_four_standards_the_entry_criteria_and_three_panels_a_year() -> None:
    scheme = load_scheme()
    assert [s.name for s in scheme.standards] == [
        "Standard 1: Personal qualities",
        "Standard 2: Teaching",
        "Standard 3: Professionalism",
        "Standard 4: Self-development and working in partnership",
    ]
    assert len(scheme.standard("1").descriptors) == 5  # type: ignore[union-attr]
    assert [lv.key for lv in scheme.levels] == ["entry", "mastery", "lead"]
    assert len(scheme.criteria_at("entry")) == 8
    assert {c.key for c in scheme.ticked} == {"recommendation", "pre_entry_audit", "provider_process", "timetable",
                                              "evaluation_returned"}  # fmt: skip
    assert [d for d in scheme.panel_dates if d.year == 2027] == [
        date(2027, 3, 10),
        date(2027, 6, 23),
        date(2027, 11, 17),
    ]
    assert scheme.training_hours_target == 20


def _with(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "scheme.toml"
    path.write_text(default_scheme_path().read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("[evidence.meetings_held]", "[evidence.coffee_breaks]", "the bot can't count “coffee_breaks”"),
        ('standards = ["1"]\n', 'standards = ["9"]\n', "“standards” names 9, which the file does not define"),
        ("needs = { observations_with_feedback = 3 }", "needs = { observations_with_feedback = 0 }", "above zero"),
        ('\nkind = "tick"', '\nkind = "vibes"', "“kind” must be one of tick, gathered, reflection, training"),
        ("panel_dates = [2026-11-18", 'panel_dates = ["18/11/2026"', "“panel_dates” must be a list of dates"),
    ],
)
def test_a_providers_scheme_file_with_a_mistake_is_named_with_what_to_fix(
    tmp_path: Path, old: str, new: str, error: str
) -> None:
    with pytest.raises(SchemeError) as raised:
        load_scheme(_with(tmp_path, old, new))
    assert error in str(raised.value) and "scheme.toml" in str(raised.value)


def test_a_bad_scheme_setting_stops_start_up_with_a_clear_error(tmp_path: Path) -> None:
    from bot.app.settings import SettingsError, load_settings

    env = tmp_path / ".env"
    env.write_text(
        f"SLACK_BOT_TOKEN=xoxb-1\nSLACK_SIGNING_SECRET={SIGNING_SECRET}\n"
        f"CERTIFICATION_SCHEME={tmp_path / 'nope.toml'}\n"
    )
    with pytest.raises(SettingsError) as raised:
        load_settings(env)
    assert "CERTIFICATION_SCHEME is wrong" in str(raised.value) and "no such file" in str(raised.value)


def test_a_provider_loads_its_own_scheme(tmp_path: Path, settings: Settings, db: Database) -> None:
    from bot.app.bootstrap import bootstrap

    own = _with(tmp_path, 'label = "Entry level"', 'label = "Stage one"')
    deps = bootstrap(settings.model_copy(update={"certification_scheme": own}), db=db)
    assert deps.certification.scheme.levels[0].label == "Stage one"


# --- panel reminders --------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("school")
def test_mentors_are_reminded_a_month_and_a_week_before_the_panel_once_each(
    deps: Deps, emulator: SlackEmulator, clock: FakeClock
) -> None:
    client = deps.slack.client
    clock.now = datetime(2027, 2, 1, 10, 0, tzinfo=LONDON)  # 37 days before 10 March: too early
    assert send_panel_reminders(deps, client, TEAM) == 0

    clock.now = datetime(2027, 2, 8, 10, 0, tzinfo=LONDON)  # 30 days before
    assert send_panel_reminders(deps, client, TEAM) == 2  # Amy (a mentor) and Leo (lead mentor)
    assert send_panel_reminders(deps, client, TEAM) == 0
    [to_amy] = emulator.messages_to(AMY)
    assert "review panel meets in a month, on Wednesday 10 March 2027" in to_amy["text"]
    assert emulator.messages_to(BEN) == []  # mentees are not reminded

    clock.now = datetime(2027, 3, 3, 10, 0, tzinfo=LONDON)  # 7 days before
    assert send_panel_reminders(deps, client, TEAM) == 2
    assert send_panel_reminders(deps, client, TEAM) == 0
    assert "in a week, on Wednesday 10 March 2027" in emulator.messages_to(AMY)[-1]["text"]

    clock.now = datetime(2027, 3, 4, 22, 0, tzinfo=LONDON)  # out of hours: nothing, whatever is due
    assert send_panel_reminders(deps, client, TEAM) == 0


# --- the lead level ---------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("school")
def test_a_lead_mentors_joint_observations_and_nudges_count_towards_the_lead_level(deps: Deps, db: Database) -> None:
    now, found = deps.now(), directory(deps)
    amy, leo = deps.roster.caller(TEAM, AMY, found, now), deps.roster.caller(TEAM, LEO, found, now)
    for n, day in enumerate((date(2026, 11, 10), date(2026, 11, 17))):
        draft = observation_draft(deps, BEN, "Joint", second_observer_id=LEO, observed_on=day)
        deps.observations.record(amy, draft, f"joint-{n}", found, now)
    with db.unit_of_work() as session:
        session.add(Nudge(team_id=TEAM, mentor_id=AMY, day=date(2026, 11, 20), nudged_by=LEO, sent_at=now))

    progress = deps.certification.progress(leo, LEO, now)

    gathered = {g.kind: g.count for g in progress.gathered}
    assert (gathered["joint_observations"], gathered["nudges_sent"]) == (2, 1)
    [lead_level] = [lv for lv in progress.levels if lv.level.lead]
    moderation = next(c for c in lead_level.criteria if c.criterion.key == "moderation")
    assert moderation.met and moderation.detail == "2 of 2 joint observations (moderation)"
    supporting = next(c for c in lead_level.criteria if c.criterion.key == "supporting_mentors")
    assert not supporting.met and "1 of 1 mentors nudged about missing logs" in supporting.detail
    standard_4 = next(s for s in progress.standards if s.standard.key == "4")
    assert standard_4.evidence_count == 3  # 2 joint observations + 1 nudge
    amys = deps.certification.progress(leo, AMY, now)  # the observer of a joint observation moderates too
    assert {g.kind: g.count for g in amys.gathered}["joint_observations"] == 2


# --- typing hours ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [("1.5", 90), ("1,5", 90), ("2", 120), ("2h", 120), ("90m", 90), ("45 mins", 45), ("1:30", 90), ("lots", None)],
)
def test_hours_are_read_the_ways_people_type_them(typed: str, minutes: int | None) -> None:
    assert parse_hours(typed) == minutes


# --- privacy ---------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("school")
def test_a_mentors_certification_record_is_exported_and_erased(deps: Deps, db: Database) -> None:
    now, found = deps.now(), directory(deps)
    amy = deps.roster.caller(TEAM, AMY, found, now)
    deps.certification.add_reflection(amy, ReflectionDraft("Mornings work.", ["1"], quote="Real questions."), "r", now)
    deps.certification.log_training(amy, TrainingDraft(date(2026, 11, 2), "2", "North Hub", "Coaching"), "t", now)

    exported = to_json(privacy.export_person(db, TEAM, AMY, now))
    assert "Mornings work." in exported and "Real questions." in exported and "North Hub" in exported

    privacy.erase_person(db, TEAM, AMY, now)
    after = to_json(privacy.export_person(db, TEAM, AMY, now))
    assert "Mornings work." not in after and "North Hub" not in after
