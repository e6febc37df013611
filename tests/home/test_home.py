"""The App Home tab end to end: each role's dashboard published on app_home_opened, its buttons opening the
right modals, paging with More, and the Homes a change touches published again."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select, update

from handlers.home import ids as home_ids
from handlers.meetings import ids as meeting_ids
from handlers.observations import ids as observation_ids
from handlers.targets import ids as target_ids
from storage.db import Database
from storage.digests import DigestRepository
from storage.meetings import Meeting
from storage.observations import Observation, ObservationEntry, Rating
from storage.roster import MenteeKind, Mentorship
from storage.targets import Target, TargetDraft, TargetStatus
from tests.conftest import BackendDatabase
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver, state_for, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.people import ADMIN, AMY, BEN, CAT, DEV, LEO, LONDON, SAM, SLT_CHANNEL, TEAM
from tests.support.school import add_people, enrol
from tests.support.slack import block_text, mention, modal_on_screen, modals_opened, reply_to

STANDARDS = [f"standard_{n}" for n in range(1, 9)] + ["part_two"]
SEPT = datetime(2026, 9, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def school(slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock) -> None:
    """Amy mentors Ben (a trainee) and Dev (an ECT) since Monday 2 November; Leo leads, Sam is SLT, Cat is new."""
    add_people(emulator, ADMIN, AMY, BEN, DEV, LEO, SAM, CAT)
    emulator.add_channel(SLT_CHANNEL, "slt")
    enrol(slack, clock, mentees={BEN: "trainee", DEV: "ect"}, lead=LEO, slt=SAM, slt_channel=SLT_CHANNEL)


# --- seeding what the Homes show ------------------------------------------------------------------------------------


def mentorship_of(db: Database, mentee: str) -> Mentorship:
    with db.unit_of_work() as session:
        return session.scalars(select(Mentorship).where(Mentorship.mentee_id == mentee)).one()


def add_target(db: Database, mentee: str, text: str, due: date) -> int:
    mentorship = mentorship_of(db, mentee)
    at = datetime(2026, 11, 10, 16, 0, tzinfo=LONDON)
    with db.unit_of_work() as session:
        target = Target(
            team_id=TEAM,
            mentorship_id=mentorship.id,
            mentee_id=mentee,
            set_by=AMY,
            text=text,
            due_on=due,
            standards=["7"],
            status=TargetStatus.OPEN,
            carried_count=0,
            submission_key=f"seed-{text[:30]}",
            created_at=at,
            updated_at=at,
        )
        session.add(target)
        session.flush()
        return target.id


def add_meeting(db: Database, mentee: str, held_on: date, notes: str) -> None:
    mentorship = mentorship_of(db, mentee)
    with db.unit_of_work() as session:
        session.add(
            Meeting(
                team_id=TEAM,
                mentorship_id=mentorship.id,
                mentee_id=mentee,
                author_id=mentorship.mentor_id,
                held_on=held_on,
                notes=notes,
                submission_key=f"seed-{mentee}-{held_on}",
                created_at=SEPT,
                updated_at=SEPT,
            )
        )


def add_observation(
    db: Database,
    teacher: str,
    on: date,
    ratings: dict[str, Rating],
    *,
    reflected: bool = True,
    on_track: bool = True,
    concern: str | None = None,
) -> int:
    mentorship = mentorship_of(db, teacher)
    with db.unit_of_work() as session:
        observation = Observation(
            team_id=TEAM,
            teacher_id=teacher,
            observer_id=mentorship.mentor_id,
            mentorship_id=mentorship.id,
            form_key="ect",
            observed_on=on,
            on_track=on_track,
            has_concern=concern is not None,
            reflected_at=SEPT if reflected else None,
            submission_key=f"seed-{teacher}-{on}",
            created_at=SEPT,
            updated_at=SEPT,
        )
        observation.entries = [
            ObservationEntry(key=k, position=i, rating=r) for i, (k, r) in enumerate(ratings.items())
        ]
        observation.entries.append(ObservationEntry(key="strengths", position=20, text="PRIVATE strengths comment"))
        if concern:
            observation.entries.append(ObservationEntry(key="concerns", position=21, text=concern))
        session.add(observation)
        session.flush()
        return observation.id


# --- reading the Home ---------------------------------------------------------------------------------------------


def publishes(emulator: SlackEmulator, user: str) -> int:
    return sum(
        1
        for c in emulator.calls_to("views.publish")
        if c.params.get("user_id") == user and c.response is not None and c.response.get("ok")
    )


def republished(emulator: SlackEmulator, user: str, before: int) -> dict[str, Any]:
    wait_until(lambda: publishes(emulator, user) > before, what=f"{user}'s Home to be published")
    view = emulator.published_home(user)
    assert view is not None and view["type"] == "home" and len(view["blocks"]) <= 100
    return view


def open_home(slack: SlackDriver, user: str, *, team_id: str | None = None) -> dict[str, Any]:
    before = publishes(slack.emulator, user)
    result = slack.open_home(user, team_id=team_id)
    assert result.status == 200, result.text
    return republished(slack.emulator, user, before)


def text_of(view: dict[str, Any]) -> str:
    return block_text(view.get("blocks", []))  # {} (nothing published yet) reads as no text


def buttons(view: dict[str, Any], action_id: str) -> list[tuple[dict[str, Any], str]]:
    found = []
    for block in view["blocks"]:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                found.append((element, str(block.get("block_id", ""))))
    return found


def button(view: dict[str, Any], action_id: str, value: str | None = None) -> tuple[dict[str, Any], str]:
    matching = [(e, b) for e, b in buttons(view, action_id) if value is None or e.get("value") == value]
    assert matching, f"no {action_id} ({value}) on the Home: {text_of(view)}"
    return matching[0]


def press(slack: SlackDriver, view: dict[str, Any], action_id: str, value: str | None = None, *, user: str) -> None:
    element, block_id = button(view, action_id, value)
    result = slack.click(action_id, user=user, value=element["value"], block_id=block_id, view=view)
    assert result.status == 200, result.text


def modal_from(slack: SlackDriver, view: dict[str, Any], action_id: str, value: str, *, user: str) -> dict[str, Any]:
    """Press a Home button and return the modal it put on screen (with its id, to submit it)."""
    before = modals_opened(slack.emulator)
    press(slack, view, action_id, value, user=user)
    return modal_on_screen(slack.emulator, opened_before=before, what="a modal")


def submit(slack: SlackDriver, view: dict[str, Any], answers: dict[str, Any], *, user: str) -> Any:
    result = slack.submit(view, state_for(view, answers), user=user)
    assert result.status == 200, result.text
    return result.json if result.body else None


# --- who sees what ----------------------------------------------------------------------------------------------------


def test_someone_the_bot_does_not_know_is_welcomed_and_told_who_sets_it_up(slack: SlackDriver) -> None:
    view = open_home(slack, CAT)

    text = text_of(view)
    assert "Welcome to mentor-bot" in text and "observations" in text
    assert f"It's set up by <@{ADMIN}>, the bot's admin" in text
    assert "Your mentees" not in text and not buttons(view, home_ids.LOG_MEETING_ACTION)


def test_the_mentee_sees_targets_overdue_first_the_last_meeting_ratings_over_time_and_reflections_owed(
    slack: SlackDriver, db: Database
) -> None:
    add_target(db, BEN, "Plan a hinge question for each lesson", date(2026, 12, 4))
    add_target(db, BEN, "Use a countdown at every transition", date(2026, 11, 20))
    add_meeting(db, BEN, date(2026, 11, 17), "Talked through the Year 5 fractions lesson.\nTransitions improving.")
    add_observation(db, BEN, date(2026, 11, 10), {"standard_3": Rating.NOT_DEMONSTRATED, "standard_7": Rating.FULLY})
    owed = add_observation(
        db, BEN, date(2026, 11, 20), {"standard_3": Rating.PARTLY, "standard_7": Rating.FULLY}, reflected=False
    )

    view = open_home(slack, BEN)

    text = text_of(view)
    assert "Your mentoring" in text and f"Your mentor: <@{AMY}>" in text
    assert "*Your open targets* (2, 1 overdue)" in text
    assert text.index("Use a countdown at every transition") < text.index("Plan a hinge question")
    assert "due Fri 20 Nov · *overdue*" in text
    assert f"*Your last meeting*: Tuesday 17 November with <@{AMY}>" in text
    assert ">Talked through the Year 5 fractions lesson. Transitions improving." in text
    assert "3 Demonstrate good subject and curriculum knowledge: :red_circle: :large_yellow_circle:" in text
    assert ":large_green_circle: :large_green_circle:" in text
    assert "PRIVATE" not in text  # observation comments stay in the observation
    (reflect, _) = button(view, home_ids.REFLECT_ACTION)
    assert reflect["value"] == str(owed) and reflect["text"]["text"] == "Add your reflection"
    assert not buttons(view, home_ids.LOG_MEETING_ACTION) and "Your mentees" not in text


def test_the_mentors_home_shows_each_mentee_most_in_need_first_with_one_click_actions(
    slack: SlackDriver, db: Database
) -> None:
    add_meeting(db, BEN, date(2026, 11, 17), "PRIVATE notes about Ben")
    add_target(db, BEN, "Use a countdown at every transition", date(2026, 11, 20))
    add_observation(
        db, DEV, date(2026, 11, 20), {"standard_7": Rating.NOT_DEMONSTRATED}, on_track=False, concern="Punctuality"
    )

    view = open_home(slack, AMY)

    text = text_of(view)
    assert "*2 mentees* · :warning: 2 need you" in text
    assert text.index(f"<@{DEV}>") < text.index(f"<@{BEN}>")  # not on track and a concern come first
    assert f"*<@{DEV}>* (ECT, meeting weekly) · :warning: not on track, concern" in text
    assert "no meeting logged yet · :hourglass: meeting was due Mon 9 Nov · observations 1/2 this half term" in text
    assert f"*<@{BEN}>* (trainee, meeting weekly)" in text
    assert "last meeting Tue 17 Nov · next meeting due Tue 24 Nov · observations 0/2 this half term" in text
    assert "1 open target, *1 overdue*" in text
    assert "PRIVATE" not in text and "Punctuality" not in text
    for action in (home_ids.LOG_MEETING_ACTION, home_ids.OBSERVE_ACTION, home_ids.SET_TARGET_ACTION):
        assert {e["value"] for e, _ in buttons(view, action)} == {BEN, DEV}
    assert [e["text"]["text"] for e in view["blocks"][3]["elements"]] == ["Log meeting", "Observe", "Set target"]


@pytest.mark.parametrize(
    ("action_id", "callback_id", "title"),
    [
        (home_ids.LOG_MEETING_ACTION, meeting_ids.MEETING_CALLBACK, "Log meeting"),
        (home_ids.OBSERVE_ACTION, observation_ids.OBSERVE_CALLBACK, "Lesson observation"),
        (home_ids.SET_TARGET_ACTION, home_ids.TARGET_CALLBACK, "Set a target"),
    ],
)
def test_each_home_button_opens_its_modal(slack: SlackDriver, action_id: str, callback_id: str, title: str) -> None:
    view = open_home(slack, AMY)

    modal = modal_from(slack, view, action_id, BEN, user=AMY)

    assert (modal["callback_id"], modal["title"]["text"]) == (callback_id, title)
    assert f"<@{BEN}>" in text_of(modal) or "Ben" in text_of(modal)


def test_the_lead_mentor_sees_the_cohort_needing_attention_first_and_the_same_actions(
    slack: SlackDriver, db: Database
) -> None:
    add_meeting(db, BEN, date(2026, 11, 24), "Notes")
    add_observation(db, DEV, date(2026, 11, 20), {"standard_7": Rating.NOT_DEMONSTRATED}, on_track=False)

    view = open_home(slack, LEO)

    text = text_of(view)
    assert "Your cohort: week of 23 November" in text
    assert "*2 mentees* · :large_green_circle: 1 on track · :warning: 1 need you" in text
    assert text.index(f"*<@{DEV}>*") < text.index(f"*<@{BEN}>*")
    assert f"*Mentors with missing logs* (1)\n• <@{AMY}>: no meeting on cadence with <@{DEV}>" in text
    assert {e["value"] for e, _ in buttons(view, home_ids.SET_TARGET_ACTION)} == {BEN, DEV}
    modal = modal_from(slack, view, home_ids.LOG_MEETING_ACTION, DEV, user=LEO)
    assert modal["callback_id"] == meeting_ids.MEETING_CALLBACK


def test_the_lead_mentors_headings_count_what_the_summary_counts(slack: SlackDriver, db: Database) -> None:
    add_meeting(db, BEN, date(2026, 11, 24), "Notes")
    add_observation(db, DEV, date(2026, 11, 20), {"standard_7": Rating.NOT_DEMONSTRATED}, on_track=False)

    text = text_of(open_home(slack, LEO))

    assert ":large_green_circle: 1 on track · :warning: 1 need you" in text
    assert "*Needs you* (1)" in text and "*On track* (1)" in text
    assert text.index("*Needs you* (1)") < text.index(f"*<@{DEV}>*") < text.index("*On track* (1)")
    assert text.index("*On track* (1)") < text.index(f"*<@{BEN}>*")
    assert "Those needing you first" not in text  # it counted everyone: 2, over a summary saying 1


def test_slt_see_the_latest_summary_who_is_flagged_and_the_channel_but_no_notes(
    slack: SlackDriver, db: Database, clock: FakeClock
) -> None:
    add_meeting(db, DEV, date(2026, 11, 20), "PRIVATE meeting notes")
    add_observation(db, DEV, date(2026, 11, 20), {"standard_7": Rating.PARTLY}, on_track=False, concern="PRIVATE")
    numbers = {
        "mentees": 2,
        "by_kind": {"trainee": 1, "ect": 1, "staff": 0},
        "on_cadence": 1,
        "on_cadence_pct": 50,
        "observation_coverage": 0,
        "observation_coverage_pct": 0,
        "not_on_track": 1,
        "concerns": 1,
        "targets_overdue": 3,
        "targets_met": 2,
        "ratings": {},
    }
    DigestRepository(db).save_snapshot(TEAM, "2026-W47", numbers, clock.now)

    view = open_home(slack, SAM)

    text = text_of(view)
    assert "School summary" in text and "2 mentees: 1 trainee · 1 ECT" in text
    assert "*Meeting their cadence*\n50% (1 of 2)" in text and "*Not on track*\n1" in text
    assert "From the latest weekly digest (week of 16 November 2026)." in text
    assert f"• <@{DEV}> (mentor <@{AMY}>): not on track, concern" in text
    assert f"<#{SLT_CHANNEL}>" in text
    assert "PRIVATE" not in text and not buttons(view, home_ids.LOG_MEETING_ACTION)


def test_admins_see_roster_health_and_settings_but_no_observations(slack: SlackDriver, db: Database) -> None:
    add_observation(db, DEV, date(2026, 11, 20), {"standard_7": Rating.PARTLY}, on_track=False)
    reply_to(slack, "/mentor", f"unassign {mention(AMY)} {mention(DEV)}", user=ADMIN)
    with db.unit_of_work() as session:
        session.execute(update(Mentorship).where(Mentorship.mentee_id == BEN).values(end_date=date(2026, 11, 30)))

    view = open_home(slack, ADMIN)

    text = text_of(view)
    assert "Running mentor-bot" in text
    assert f"• <@{DEV}>: with <@{AMY}> until 24 Nov 2026 (planned to 1 Nov 2027)" in text
    assert f"*Mentorships ending by 30 November* (1)\n• <@{AMY}> mentoring <@{BEN}>: ends Mon 30 Nov" in text
    assert f"*SLT channel*\n<#{SLT_CHANNEL}>" in text and f"*Lead mentors*\n<@{LEO}>" in text
    assert f"*SLT*\n<@{SAM}>" in text and "England 2026–27" in text and "Fridays at 15:00" in text
    assert "not on track" not in text and "Your cohort" not in text


def test_someone_with_several_roles_sees_each_section_within_the_limits(
    slack: SlackDriver, emulator: SlackEmulator
) -> None:
    reply_to(slack, "/mentor", f"assign {mention(LEO)} {mention(CAT)} staff", user=ADMIN)
    reply_to(slack, "/mentor", f"assign {mention(AMY)} {mention(LEO)} staff", user=ADMIN)
    reply_to(slack, "/mentor", f"role add {mention(LEO)} slt", user=ADMIN)
    reply_to(slack, "/mentor", f"role add {mention(LEO)} admin", user=ADMIN)

    view = open_home(slack, LEO)

    text = text_of(view)
    for title in ("Your mentoring", "Your mentees", "Your cohort", "School summary", "Running mentor-bot"):
        assert title in text
    assert text.index("Your mentoring") < text.index("Your mentees") < text.index("Your cohort")
    assert "No weekly summary yet: the first goes out on Friday at 15:00" in text
    assert {e["value"] for e, _ in buttons(view, home_ids.LOG_MEETING_ACTION)} == {CAT, BEN, DEV}  # never themselves


def test_a_workspace_never_sees_another_workspaces_records(slack: SlackDriver, db: Database) -> None:
    add_target(db, BEN, "Use a countdown at every transition", date(2026, 11, 20))

    elsewhere = open_home(slack, BEN, team_id="T0002")

    text = text_of(elsewhere)
    assert "Welcome to mentor-bot" in text and "your Slack workspace admins" in text
    assert "countdown" not in text and f"<@{AMY}>" not in text
    assert "countdown" in text_of(open_home(slack, BEN))


# --- paging ---------------------------------------------------------------------------------------------------------


def test_a_long_cohort_pages_with_more_and_back_and_stays_within_100_blocks(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    with db.unit_of_work() as session:
        session.add_all(
            Mentorship(
                team_id=TEAM,
                mentor_id=f"UM{n:05d}",
                mentee_id=f"UE{n:05d}",
                mentee_kind=MenteeKind.ECT,
                start_date=date(2026, 9, 2),
                end_date=date(2027, 9, 1),
                created_by=ADMIN,
                created_at=SEPT,
            )
            for n in range(30)
        )

    first = open_home(slack, LEO)
    assert "showing 1–8 of 32" in text_of(first)
    assert not buttons(first, home_ids.BACK_ACTION)
    more, _ = button(first, home_ids.MORE_ACTION, "cohort=1")

    before = publishes(emulator, LEO)
    press(slack, first, home_ids.MORE_ACTION, more["value"], user=LEO)
    second = republished(emulator, LEO, before)
    assert "showing 9–16 of 32" in text_of(second) and second["private_metadata"] == "cohort=1"
    back, _ = button(second, home_ids.BACK_ACTION)
    assert back["value"] == "top"

    last_value = next(e["value"] for e, _ in buttons(second, home_ids.MORE_ACTION) if e["value"].startswith("cohort="))
    assert last_value == "cohort=2"
    before = publishes(emulator, LEO)
    slack.click(home_ids.MORE_ACTION, user=LEO, value="cohort=99;quiet=7;evil=3", view=second)
    last = republished(emulator, LEO, before)
    assert "showing 25–32 of 32" in text_of(last) and not [
        e for e, _ in buttons(last, home_ids.MORE_ACTION) if "cohort=" in e["value"]
    ]

    before = publishes(emulator, LEO)
    slack.click(home_ids.MORE_ACTION, user=LEO, value="cohort=-1;<script>", view=last)
    assert "showing 1–8 of 32" in text_of(republished(emulator, LEO, before))


# --- next steps from the Home, and the Homes a change touches ---------------------------------------------------------


def test_a_reflection_owed_opens_from_the_home_and_the_home_is_republished_without_it(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    owed = add_observation(db, BEN, date(2026, 11, 20), {"standard_3": Rating.PARTLY}, reflected=False)
    home = open_home(slack, BEN)

    modal = modal_from(slack, home, home_ids.REFLECT_ACTION, str(owed), user=BEN)
    assert modal["callback_id"] == observation_ids.REFLECT_CALLBACK

    before = publishes(emulator, BEN)
    assert submit(slack, modal, {"reflection": "I rushed the plenary."}, user=BEN) is None
    again = republished(emulator, BEN, before)
    assert not buttons(again, home_ids.REFLECT_ACTION) and "Reflections you still owe" not in text_of(again)


def test_logging_a_meeting_from_the_home_republishes_the_mentees_and_mentors_homes(
    slack: SlackDriver, emulator: SlackEmulator
) -> None:
    open_home(slack, BEN)
    home = open_home(slack, AMY)
    modal = modal_from(slack, home, home_ids.LOG_MEETING_ACTION, BEN, user=AMY)
    ben_before, amy_before = publishes(emulator, BEN), publishes(emulator, AMY)

    answers = {"held_on": "2026-11-24", "duration": "40", "notes": "Planned the fractions unit.", "wellbeing": "4"}
    assert submit(slack, modal, answers, user=AMY) is None

    ben = republished(emulator, BEN, ben_before)
    assert f"*Your last meeting*: Tuesday 24 November with <@{AMY}>" in text_of(ben)
    assert ">Planned the fractions unit." in text_of(ben)
    amy = republished(emulator, AMY, amy_before)
    assert "last meeting Tue 24 Nov" in text_of(amy)


def test_saving_an_observation_republishes_the_teachers_home_with_a_reflection_to_add(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    home = open_home(slack, AMY)
    modal = modal_from(slack, home, home_ids.OBSERVE_ACTION, BEN, user=AMY)
    before = publishes(emulator, BEN)
    answers = {
        "date": "2026-11-24",
        **{f"field:{key}": "partly" for key in STANDARDS},
        "field:strengths": "Calm routines.",
        "field:development": "Check understanding.",
        "field:on_track": "yes",
        "field:next_steps": "Hinge questions.",
    }

    assert submit(slack, modal, answers, user=AMY) is None

    ben = republished(emulator, BEN, before)
    with db.unit_of_work() as session:
        [observation] = session.scalars(select(Observation)).all()
    assert "Reflections you still owe* (1)" in text_of(ben)
    assert button(ben, home_ids.REFLECT_ACTION)[0]["value"] == str(observation.id)


def test_set_target_goes_through_the_target_draft_and_the_mentees_home_shows_it(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    home = open_home(slack, AMY)
    modal = modal_from(slack, home, home_ids.SET_TARGET_ACTION, BEN, user=AMY)

    only_a_date = submit(slack, modal, {"target_text": "by Friday"}, user=AMY)
    assert only_a_date["response_action"] == "errors"
    assert "not only when it's due" in only_a_date["errors"]["target_text"]

    answer = submit(slack, modal, {"target_text": "Use cold calling in every lesson by Monday week"}, user=AMY)
    assert answer["response_action"] == "update" and "Confirm" in block_text(answer["view"]["blocks"])
    draft = wait_until(lambda: emulator.messages_to(AMY), what="the draft in Amy's messages")[-1]
    assert "Due Monday 7 December 2026" in block_text(draft["blocks"])
    with db.unit_of_work() as session:
        assert session.scalars(select(Target)).all() == []  # nothing is saved before Confirm

    call = [c for c in emulator.calls_to("chat.postMessage") if c.params.get("channel") == AMY][-1]
    assert call.response is not None
    message = {**call.response["message"], "ts": call.response["ts"]}
    (confirm, block_id) = next(
        (e, b["block_id"])
        for b in draft["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == target_ids.DRAFT_CONFIRM
    )
    before = publishes(emulator, BEN)
    result = slack.click(
        target_ids.DRAFT_CONFIRM,
        user=AMY,
        value=confirm["value"],
        block_id=block_id,
        message=message,
        channel=call.response["channel"],
    )
    assert result.status == 200

    ben = republished(emulator, BEN, before)
    assert "Use cold calling in every lesson — due Mon 7 Dec" in text_of(ben)
    with db.unit_of_work() as session:
        [target] = session.scalars(select(Target)).all()
    assert (target.mentee_id, target.set_by, target.due_on) == (BEN, AMY, date(2026, 12, 7))


def test_home_buttons_for_someone_else_s_mentee_are_refused_in_a_modal(
    slack: SlackDriver, emulator: SlackEmulator
) -> None:
    reply_to(slack, "/mentor", f"assign {mention(LEO)} {mention(CAT)} staff", user=ADMIN)
    home = open_home(slack, AMY)

    # A stale or tampered button: Amy doesn't mentor Cat.
    for action_id in (home_ids.LOG_MEETING_ACTION, home_ids.OBSERVE_ACTION, home_ids.SET_TARGET_ACTION):
        opened = answer_to(slack, home, action_id)
        refusal = block_text(opened["blocks"])
        assert not opened.get("callback_id") and "mentor" in refusal


def answer_to(slack: SlackDriver, home: dict[str, Any], action_id: str) -> dict[str, Any]:
    before = len(slack.emulator.calls_to("views.open"))
    slack.click(action_id, user=AMY, value=CAT, view=home)
    wait_until(lambda: len(slack.emulator.calls_to("views.open")) > before, what="the answer")
    return dict(slack.emulator.calls_to("views.open")[before].params["view"])


def test_a_tampered_set_target_modal_is_refused_before_anything_is_kept(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    reply_to(slack, "/mentor", f"assign {mention(LEO)} {mention(CAT)} staff", user=ADMIN)
    modal = modal_from(slack, open_home(slack, AMY), home_ids.SET_TARGET_ACTION, BEN, user=AMY)

    for mentee, refusal in ((CAT, f"You don't mentor <@{CAT}>"), ("not-a-user", "I can't tell who")):
        tampered = {**modal, "private_metadata": json.dumps({"mentee": mentee})}
        answer = submit(slack, tampered, {"target_text": "Use cold calling by Friday"}, user=AMY)
        assert answer["response_action"] == "errors" and refusal in answer["errors"]["target_text"]
    with db.unit_of_work() as session:
        assert session.scalars(select(TargetDraft)).all() == []
    assert emulator.messages_to(AMY) == []


def test_a_home_that_cannot_be_published_never_breaks_the_change_that_triggered_it(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    modal = modal_from(slack, open_home(slack, AMY), home_ids.LOG_MEETING_ACTION, BEN, user=AMY)
    emulator.fail_next("views.publish", error="fatal_error", times=10)

    answers = {"held_on": "2026-11-24", "duration": "40", "notes": "Planned the fractions unit.", "wellbeing": "4"}
    assert submit(slack, modal, answers, user=AMY) is None

    wait_until(lambda: emulator.messages_to(BEN), what="Ben's meeting notes")
    wait_until(
        lambda: sum(1 for c in emulator.calls_to("views.publish") if c.response and not c.response["ok"]) >= 2,
        what="the Homes to be tried",
    )
    with db.unit_of_work() as session:
        [meeting] = session.scalars(select(Meeting)).all()
    assert meeting.notes == "Planned the fractions unit."
    assert len(emulator.messages_to(AMY)) == 1  # the confirmation, and no error message


def test_a_leaders_home_shows_a_meeting_logged_after_another_leader_opened_theirs(
    slack: SlackDriver, db: Database
) -> None:
    assert "School summary" in text_of(open_home(slack, SAM))  # SLT: builds the same school week
    add_meeting(db, BEN, date(2026, 11, 24), "Notes")

    text = text_of(open_home(slack, LEO))

    assert f"*<@{BEN}>* (mentor <@{AMY}>) · meetings 1 this week (last 24 Nov)" in text
    assert "*On track* (1)" in text


def test_a_leaders_home_shows_what_another_process_wrote(slack: SlackDriver, backend: BackendDatabase) -> None:
    assert "*Needs you* (2)" in text_of(open_home(slack, LEO))
    other_process = Database.from_url(backend.url)  # a second web process or the worker: its own connections
    try:
        add_meeting(other_process, BEN, date(2026, 11, 24), "Notes")
    finally:
        other_process.dispose()

    text = text_of(open_home(slack, LEO))

    assert f"*<@{BEN}>* (mentor <@{AMY}>) · meetings 1 this week (last 24 Nov)" in text
