"""/meeting end to end: the modal, reviewed and new targets, notes DM'd, sign-off, corrections, reminders."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app.bootstrap import Deps
from bot.app.scheduler import REMINDER_JOB, build_scheduler, send_due_reminders
from bot.app.slack_client import make_web_client
from handlers.meetings import ids as meeting_ids
from handlers.targets import ids as target_ids
from storage.db import Database
from storage.meetings import Meeting, MeetingRevision, ReviewOutcome
from storage.reminders import ReminderSent
from storage.roster import MeetingCadence, Mentorship
from storage.targets import Target, TargetStatus
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.meetings import MEETING, NOTES, answers, open_modal, submit
from tests.support.people import ADMIN, AMY, BEN, CAT, LEO, LONDON
from tests.support.school import add_people, enrol
from tests.support.slack import block_text, mention, reply_to

MENTORSHIP_START = date(2026, 11, 2)


@pytest.fixture(autouse=True)
def school(slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock) -> None:
    """Amy mentors Ben (a trainee) since Monday 2 November; Leo is lead mentor; Cat is a colleague."""
    add_people(emulator, ADMIN, AMY, BEN, LEO, CAT)
    enrol(slack, clock, mentees={BEN: "trainee"}, lead=LEO)


def add_target(db: Database, text: str, due: date, *, carried: int = 0, created: datetime | None = None) -> int:
    with db.unit_of_work() as session:
        mentorship = session.scalars(select(Mentorship)).one()
        at = created or datetime(2026, 11, 10, 16, 0, tzinfo=LONDON)
        target = Target(
            team_id="T0001",
            mentorship_id=mentorship.id,
            mentee_id=BEN,
            set_by=AMY,
            text=text,
            due_on=due,
            standards=["7"],
            status=TargetStatus.OPEN,
            carried_count=carried,
            submission_key=f"seed-{text[:20]}",
            created_at=at,
            updated_at=at,
        )
        session.add(target)
        session.flush()
        return target.id


def meetings(db: Database) -> list[Meeting]:
    with db.unit_of_work() as session:
        rows = session.scalars(select(Meeting).order_by(Meeting.id)).all()
        for row in rows:
            _ = row.reviews
        return list(rows)


def all_targets(db: Database) -> list[Target]:
    with db.unit_of_work() as session:
        return list(session.scalars(select(Target).order_by(Target.id)))


def dm(emulator: SlackEmulator, user: str, *, count: int = 1) -> dict[str, Any]:
    """The latest DM to `user` once at least `count` were sent, as it now stands, with its channel."""
    wait_until(lambda: len(emulator.messages_to(user)) >= count, what=f"a DM to {user}")
    call = [c for c in emulator.calls_to("chat.postMessage") if c.params.get("channel") == user][-1]
    assert call.response is not None
    channel, ts = call.response["channel"], call.response["ts"]
    current = next(m for m in emulator.history(channel) if m["ts"] == ts)
    return {**current, "channel": channel}


def element(message: dict[str, Any], action_id: str) -> tuple[dict[str, Any], str]:
    for block in message.get("blocks", []):
        for el in block.get("elements", []):
            if isinstance(el, dict) and el.get("action_id") == action_id:
                return dict(el), str(block.get("block_id", ""))
    raise AssertionError(f"no {action_id} in {block_text(message.get('blocks', []))}")


def click(slack: SlackDriver, message: dict[str, Any], action_id: str, *, user: str) -> None:
    el, block_id = element(message, action_id)
    result = slack.click(
        action_id, user=user, value=el.get("value"), block_id=block_id, message=message, channel=message["channel"]
    )
    assert result.status == 200, result.text


def test_the_modal_opens_with_todays_date_and_the_open_targets_carried_forward(
    slack: SlackDriver, db: Database
) -> None:
    add_target(db, "Use a countdown at every transition", date(2026, 11, 20))
    add_target(db, "Narrate the positive", date(2026, 12, 4))

    view = open_modal(slack)

    assert view["title"]["text"] == "Log meeting" and len(view["blocks"]) <= 100
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs["held_on"]["element"]["initial_date"] == "2026-11-24"
    reviews = [b for b in view["blocks"] if b.get("block_id", "").startswith("review:")]
    assert [r["label"]["text"] for r in reviews] == [
        "Use a countdown at every transition — due Fri 20 Nov · overdue · Standard 7",
        "Narrate the positive — due Fri 4 Dec · Standard 7",
    ]
    assert [o["text"]["text"] for o in reviews[0]["element"]["options"]] == ["Met", "Progressing", "Not met", "Dropped"]
    assert {"new_text_0", "new_due_0", "new_standards_0", "new_text_2", "next_meeting", "wellbeing"} <= inputs.keys()
    assert "This is the first meeting logged with Ben Trainee." in block_text(view["blocks"])


def test_a_meeting_is_logged_targets_reviewed_and_set_notes_dmed_and_signed_off(
    slack: SlackDriver, db: Database, emulator: SlackEmulator, clock: FakeClock
) -> None:
    countdown = add_target(db, "Use a countdown at every transition", date(2026, 11, 20))
    praise = add_target(db, "Narrate the positive", date(2026, 12, 4))
    view = open_modal(slack)

    reply = submit(
        slack,
        view,
        answers(
            view,
            wellbeing_note="Tired but positive.",
            **{
                f"review:{countdown}": "met",
                f"review:{praise}": "progressing",
                "new_text_0": "Use cold calling in every lesson by Monday week",
                "new_text_1": "Plan a hinge question for each Year 5 maths lesson",
                "new_due_1": "end of term",
                "new_standards_1": ["4", "6"],
                "next_meeting": "2026-12-01",
            },
        ),
    )

    assert reply is None  # the modal closes
    [meeting] = meetings(db)
    assert (meeting.mentee_id, meeting.author_id, meeting.held_on) == (BEN, AMY, date(2026, 11, 24))
    assert (meeting.duration_minutes, meeting.notes, meeting.wellbeing) == (40, NOTES, 4)
    assert (meeting.wellbeing_note, meeting.next_meeting_on) == ("Tired but positive.", date(2026, 12, 1))
    assert {(r.target_id, r.outcome) for r in meeting.reviews} == {
        (countdown, ReviewOutcome.MET),
        (praise, ReviewOutcome.PROGRESSING),
    }
    stored = {t.id: t for t in all_targets(db)}
    assert (stored[countdown].status, stored[countdown].closed_by) == (TargetStatus.MET, AMY)
    assert (stored[praise].status, stored[praise].carried_count) == (TargetStatus.OPEN, 1)
    new = [t for t in stored.values() if t.meeting_id == meeting.id]
    assert [(t.text, t.due_on, t.due_phrase, t.standards) for t in new] == [
        ("Use cold calling in every lesson", date(2026, 12, 7), "by Monday week", ["6"]),
        ("Plan a hinge question for each Year 5 maths lesson", date(2026, 12, 18), "end of term", ["4", "6"]),
    ]

    notes = dm(emulator, BEN)
    shown = block_text(notes["blocks"])
    assert "Meeting notes: Tue 24 Nov" in shown and "Talked through the Year 5 fractions lesson." in shown
    assert "Met: Use a countdown at every transition" in shown and "Progressing: Narrate the positive" in shown
    assert "Use cold calling in every lesson — due Monday 7 December 2026 · Standard 6" in shown
    assert "*Next meeting:* Tuesday 1 December 2026" in shown
    confirmation = dm(emulator, AMY)
    assert "saved" in confirmation["text"] and "The notes are with" in block_text(confirmation["blocks"])
    element(confirmation, target_ids.TARGET_DUE)  # each new target's date and standards can still be changed

    clock.now += timedelta(hours=3)
    click(slack, notes, meeting_ids.SIGN_OFF, user=BEN)

    wait_until(lambda: meetings(db)[0].signed_off_at is not None, what="the sign-off")
    [meeting] = meetings(db)
    assert (meeting.signed_off_at, meeting.signed_off_by) == (clock.now, BEN)
    wait_until(lambda: "Signed off by" in block_text(dm(emulator, BEN)["blocks"]), what="the notes to show it")
    told = dm(emulator, AMY, count=2)
    assert "signed off the notes of your meeting on Tuesday 24 November 2026" in told["text"]


def test_a_double_submit_stores_one_meeting_and_tells_people_once(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    view = open_modal(slack)
    filled = answers(view, new_text_0="Use cold calling in every lesson by Friday")

    submit(slack, view, filled)
    submit(slack, view, filled)

    assert len(meetings(db)) == 1 and len(all_targets(db)) == 1
    wait_until(lambda: emulator.messages_to(AMY), what="the confirmation")
    assert len(emulator.messages_to(BEN)) == 1 and len(emulator.messages_to(AMY)) == 1


def test_signing_off_with_a_comment_keeps_the_comment(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    view = open_modal(slack)
    submit(slack, view, answers(view))
    notes = dm(emulator, BEN)

    click(slack, notes, meeting_ids.SIGN_OFF_WITH_COMMENT, user=BEN)
    comment_view = wait_until(
        lambda: [v for v in emulator.open_views() if v["callback_id"] == meeting_ids.COMMENT_CALLBACK],
        what="the comment modal",
    )[0]
    assert submit(slack, comment_view, {"comment": "I'd add that Year 5 were unsettled after PE."}, user=BEN) is None

    [meeting] = meetings(db)
    assert meeting.signed_off_by == BEN and meeting.mentee_comment == "I'd add that Year 5 were unsettled after PE."
    told = dm(emulator, AMY, count=2)
    assert "Year 5 were unsettled after PE" in told["text"]


def test_only_the_mentee_signs_off(slack: SlackDriver, db: Database, emulator: SlackEmulator) -> None:
    view = open_modal(slack)
    submit(slack, view, answers(view))
    notes = dm(emulator, BEN)

    before = len(emulator.responses)
    click(slack, {**notes, "channel": notes["channel"]}, meeting_ids.SIGN_OFF, user=CAT)

    reply = wait_until(lambda: emulator.responses[before:], what="the refusal")[0]
    assert "only the mentee can sign off" in reply["text"]
    assert meetings(db)[0].signed_off_at is None


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"held_on": "2026-11-25"}, {"held_on": "Wednesday 25 November 2026 hasn't happened yet"}),
        ({"held_on": "2026-10-30"}, {"held_on": "The mentorship started on Monday 2 November 2026"}),
        ({"notes": "  "}, {"notes": "Note what you discussed"}),
        ({"duration": "2"}, {"duration": "between 5 and 480 minutes"}),
        (
            {"new_text_0": "Use cold calling", "new_due_0": "by blursday"},
            {"new_due_0": "I couldn't understand “by blursday” as a date"},
        ),
        ({"new_text_1": "Use cold calling by 1 Sep 2026"}, {"new_text_1": "is in the past"}),
        ({"new_due_2": "Friday"}, {"new_text_2": "Say what the target is"}),
        ({"new_text_0": "x" * 3001}, {"new_text_0": "under 3000 characters"}),
        ({"next_meeting": "2026-11-20"}, {"next_meeting": "should come after this one"}),
    ],
)
def test_bad_input_is_shown_beside_the_field_and_nothing_is_stored(
    slack: SlackDriver, db: Database, overrides: dict[str, Any], errors: dict[str, str]
) -> None:
    view = open_modal(slack)

    reply = submit(slack, view, answers(view, **overrides))

    assert reply["response_action"] == "errors"
    for block_id, message in errors.items():
        assert message in reply["errors"][block_id]
    assert meetings(db) == [] and all_targets(db) == []


def test_a_late_entry_is_logged_for_the_day_it_happened(slack: SlackDriver, db: Database) -> None:
    view = open_modal(slack)

    submit(slack, view, answers(view, held_on="2026-11-17"))

    assert meetings(db)[0].held_on == date(2026, 11, 17)


def test_someone_who_is_not_the_mentor_cannot_open_the_modal(slack: SlackDriver, emulator: SlackEmulator) -> None:
    text = reply_to(slack, MEETING, mention(BEN), user=CAT)

    assert f"You don't mentor <@{BEN}>" in text
    assert emulator.calls_to("views.open") == []


def test_no_mentee_named_opens_the_only_mentees_modal_or_asks(slack: SlackDriver, emulator: SlackEmulator) -> None:
    before = len(emulator.calls_to("views.open"))
    slack.command(MEETING, "", user=AMY)
    wait_until(lambda: len(emulator.calls_to("views.open")) > before, what="the modal")
    assert json.loads(emulator.open_views()[-1]["private_metadata"])["mentee"] == BEN

    assert "Name the mentee you met" in reply_to(slack, MEETING, "", user=LEO)
    assert "isn't a mentee I can recognise" in reply_to(slack, MEETING, "ben", user=AMY)


def test_a_lead_mentor_can_log_a_meeting(slack: SlackDriver, db: Database) -> None:
    view = open_modal(slack, user=LEO)
    submit(slack, view, answers(view), user=LEO)

    assert meetings(db)[0].author_id == LEO


def test_the_next_modal_carries_forward_the_last_meeting_and_flags_a_target_rolled_over_twice(
    slack: SlackDriver, db: Database, emulator: SlackEmulator, clock: FakeClock
) -> None:
    stuck = add_target(db, "Use the behaviour policy consistently", date(2026, 12, 18), carried=1)
    view = open_modal(slack)
    submit(slack, view, answers(view, next_meeting="2026-12-01", **{f"review:{stuck}": "progressing"}))

    [target] = all_targets(db)
    assert target.carried_count == 2 and target.flagged_at == clock.now
    confirmation = dm(emulator, AMY)
    assert "Carried over 2 meetings and still open" in block_text(confirmation["blocks"])

    clock.now += timedelta(days=7)
    view = open_modal(slack)
    context = block_text(view["blocks"])
    assert "Last meeting: Tuesday 24 November 2026; this one was planned for Tuesday 1 December 2026." in context
    assert "Talked through the Year 5 fractions lesson. Behaviour at transitions is improving." in context
    [review] = [b for b in view["blocks"] if b.get("block_id") == f"review:{stuck}"]
    assert "carried over 2 meetings" in review["label"]["text"]


def test_many_open_targets_stay_within_the_modal_limit(slack: SlackDriver, db: Database) -> None:
    for n in range(35):
        add_target(db, f"Target number {n}", date(2026, 12, 18))

    view = open_modal(slack)

    assert len(view["blocks"]) <= 100
    assert len([b for b in view["blocks"] if b.get("block_id", "").startswith("review:")]) == 30
    assert "5 more open targets aren't listed here" in block_text(view["blocks"])
    submit(slack, view, answers(view))
    assert sum(t.carried_count for t in all_targets(db)) == 30  # only the ones shown were reviewed


def test_the_author_corrects_the_notes_within_a_week_and_the_change_is_kept(
    slack: SlackDriver, db: Database, emulator: SlackEmulator, clock: FakeClock
) -> None:
    view = open_modal(slack)
    submit(slack, view, answers(view))
    confirmation = dm(emulator, AMY)
    click(slack, dm(emulator, BEN), meeting_ids.SIGN_OFF, user=BEN)
    wait_until(lambda: meetings(db)[0].signed_off_at is not None, what="the sign-off")

    clock.now += timedelta(days=2)
    click(slack, confirmation, meeting_ids.CORRECT, user=AMY)
    correction = wait_until(
        lambda: [v for v in emulator.open_views() if v["callback_id"] == meeting_ids.CORRECT_CALLBACK],
        what="the correction",
    )[0]
    inputs = {b["block_id"]: b for b in correction["blocks"] if b["type"] == "input"}
    assert inputs["notes"]["element"]["initial_value"] == NOTES
    submit(slack, correction, answers(correction, notes=NOTES + "\nAgreed to film a lesson.", duration="45"))

    [meeting] = meetings(db)
    assert meeting.notes.endswith("Agreed to film a lesson.") and meeting.duration_minutes == 45
    assert meeting.signed_off_at is None  # the mentee is asked to sign the corrected notes
    with db.unit_of_work() as session:
        [revision] = session.scalars(select(MeetingRevision)).all()
    assert (revision.changed_by, revision.changed_at) == (AMY, clock.now)
    assert revision.changes["duration"] == [40, 45] and revision.changes["notes"][0] == NOTES
    assert revision.changes["signed_off_at"][1] is None
    assert "Please read them again and sign them off" in dm(emulator, BEN, count=2)["text"]
    element(next(m for m in emulator.history(dm(emulator, BEN)["channel"]) if "blocks" in m), meeting_ids.SIGN_OFF)

    clock.now += timedelta(days=6)
    before = len(emulator.responses)
    click(slack, confirmation, meeting_ids.CORRECT, user=AMY)
    reply = wait_until(lambda: emulator.responses[before:], what="the refusal")[0]
    assert "can be corrected for 7 days" in reply["text"]


def test_cadence_is_shown_and_changed(slack: SlackDriver, db: Database) -> None:
    text = reply_to(slack, MEETING, f"cadence {mention(BEN)}", user=AMY)
    assert "meets <@UAMY0001> weekly, and is observed at least 2 times a half term" in text

    text = reply_to(slack, MEETING, f"cadence {mention(BEN)} fortnightly", user=AMY)
    assert "From now on" in text and "fortnightly" in text
    with db.unit_of_work() as session:
        assert session.scalars(select(Mentorship.meeting_cadence)).one() is MeetingCadence.FORTNIGHTLY
    assert "isn't a cadence" in reply_to(slack, MEETING, f"cadence {mention(BEN)} daily", user=AMY)
    assert "can change how often this mentee meets" in reply_to(
        slack, MEETING, f"cadence {mention(BEN)} weekly", user=CAT
    )


# --- reminders -------------------------------------------------------------------------------------------


def test_a_reminder_is_sent_once_and_not_again(
    slack: SlackDriver, db: Database, emulator: SlackEmulator, clock: FakeClock, deps: Deps
) -> None:
    view = open_modal(slack)
    submit(slack, view, answers(view, held_on="2026-11-17"))  # last week's meeting, logged late
    wait_until(lambda: emulator.messages_to(AMY), what="the confirmation")
    client = make_web_client(deps.settings)

    # Tuesday 24th: the weekly meeting is due today, so no reminder yet.
    assert send_due_reminders(deps, client, "T0001").sent == 0
    # Wednesday morning: one reminder, with a Log meeting button.
    clock.now = datetime(2026, 11, 25, 8, 30, tzinfo=LONDON)
    assert send_due_reminders(deps, client, "T0001").sent == 1
    reminder = dm(emulator, AMY, count=2)
    assert "more than a school week without a meeting with <@UBEN0001> logged" in block_text(reminder["blocks"])
    assert "the last was on Tuesday 17 November 2026" in block_text(reminder["blocks"])
    # Not again: later that day, the next day, or from a second scheduler.
    for later in (datetime(2026, 11, 25, 14, 0, tzinfo=LONDON), datetime(2026, 11, 26, 9, 0, tzinfo=LONDON)):
        clock.now = later
        assert send_due_reminders(deps, client, "T0001").sent == 0
    assert len(emulator.messages_to(AMY)) == 2
    with db.unit_of_work() as session:
        [sent] = session.scalars(select(ReminderSent)).all()
    assert (sent.period, sent.recipient_id, sent.sent_at) == (
        "meeting:weekly:2026-11-24",
        AMY,
        datetime(2026, 11, 25, 8, 30, tzinfo=LONDON),
    )

    # The button opens the meeting modal for Ben; logging it stops the reminders.
    before = len(emulator.calls_to("views.open"))
    click(slack, reminder, meeting_ids.LOG_MEETING, user=AMY)
    wait_until(lambda: len(emulator.calls_to("views.open")) > before, what="the modal")
    view = emulator.open_views()[-1]
    assert json.loads(view["private_metadata"])["mentee"] == BEN
    submit(slack, view, answers(view, held_on="2026-11-26"))
    clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)
    assert send_due_reminders(deps, client, "T0001").sent == 0


def test_no_reminders_at_the_weekend_in_the_holidays_or_out_of_hours(
    slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock, deps: Deps
) -> None:
    client = make_web_client(deps.settings)
    for quiet in (
        datetime(2026, 11, 28, 10, 0, tzinfo=LONDON),  # Saturday
        datetime(2026, 12, 23, 10, 0, tzinfo=LONDON),  # Christmas holidays
        datetime(2026, 11, 25, 7, 0, tzinfo=LONDON),  # before school
        datetime(2026, 11, 25, 19, 0, tzinfo=LONDON),  # evening
    ):
        clock.now = quiet
        assert send_due_reminders(deps, client, "T0001").sent == 0
    assert emulator.messages_to(AMY) == []
    clock.now = datetime(2026, 11, 25, 7, 0, tzinfo=LONDON)
    assert send_due_reminders(deps, client, "T0001", any_hour=True).sent == 1  # `reminders run` ignores the hour


def test_a_failed_reminder_is_tried_again_next_run(
    slack: SlackDriver, db: Database, emulator: SlackEmulator, deps: Deps
) -> None:
    client = make_web_client(deps.settings)
    emulator.fail_next("chat.postMessage", error="fatal_error")

    assert send_due_reminders(deps, client, "T0001").failed == 1
    with db.unit_of_work() as session:
        assert session.scalars(select(ReminderSent)).all() == []
    assert send_due_reminders(deps, client, "T0001").sent == 1


def test_a_timed_out_reminder_is_kept_and_never_sent_again(
    slack: SlackDriver, db: Database, emulator: SlackEmulator, deps: Deps, clock: FakeClock
) -> None:
    client = make_web_client(deps.settings)
    client.timeout = 1
    emulator.delay_next("chat.postMessage", 2.5)  # Slack posts it, but answers after the client gave up

    assert send_due_reminders(deps, client, "T0001").failed == 1
    wait_until(lambda: emulator.messages_to(AMY), what="the late reminder", timeout=5)
    with db.unit_of_work() as session:
        [kept] = session.scalars(select(ReminderSent)).all()  # the claim stands: the reminder may have arrived
    assert kept.recipient_id == AMY
    clock.now += timedelta(minutes=30)
    assert send_due_reminders(deps, client, "T0001").sent == 0
    assert len(emulator.messages_to(AMY)) == 1


def test_the_scheduler_runs_the_reminder_job_every_half_hour(
    slack: SlackDriver, emulator: SlackEmulator, deps: Deps
) -> None:
    scheduler = build_scheduler(deps)
    job = scheduler.get_job(REMINDER_JOB)
    assert job is not None and job.trigger.interval == timedelta(minutes=30)

    job.func(*job.args)  # what the scheduler runs

    assert len(emulator.messages_to(AMY)) == 1  # nothing logged since the mentorship began on 2 November
    scheduler.start()
    scheduler.shutdown(wait=False)


def test_long_notes_reach_the_mentee_whole(slack: SlackDriver, db: Database, emulator: SlackEmulator) -> None:
    notes = " ".join(f"point{n:04d}" for n in range(300))[:2990] + " & <end>"  # one 2,998-character line
    view = open_modal(slack)

    submit(slack, view, answers(view, notes=notes))

    shown = block_text(dm(emulator, BEN)["blocks"])
    assert "point0000" in shown and "point0270" in shown and "&amp; &lt;end&gt;" in shown and "…" not in shown
    assert meetings(db)[0].notes == notes
