"""Induction details, review schedules and reviews end to end, through signed requests.

Records are seeded through the bot's own commands (/meeting, /target, /observe), never raw inserts.
"""

from __future__ import annotations

import csv as csv_module
import io
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

import bot.__main__ as cli
from bot.app.bootstrap import Deps
from bot.app.scheduler import REVIEW_REMINDER_JOB, build_scheduler, send_review_reminders
from bot.app.slack_client import make_web_client
from bot.privacy import service as privacy
from bot.reviews.report import review_pdf
from handlers.reviews import ids
from handlers.slack.shared_ids import START_PLAN
from storage.db import Database
from storage.reviews import Capacity, Induction, Review, ReviewSignature, ReviewStatus
from storage.roster import AuditEntry, Mentorship
from storage.targets import Target
from tests.conftest import BackendDatabase
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver, state_for, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.people import ADMIN, AMY, BEN, DEV, HAL, LEO, LONDON, SIGNING_SECRET, TIA
from tests.support.school import add_people
from tests.support.slack import block_text, mention, reply_to

STANDARDS = [f"standard_{n}" for n in range(1, 9)] + ["part_two"]


@pytest.fixture(autouse=True)
def school(slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock) -> None:
    """Amy mentors Dev (an ECT) and Ben (a trainee) since 1 September; Tia is induction tutor, Hal the head."""
    add_people(emulator, ADMIN, AMY, DEV, TIA, HAL, LEO, BEN)
    started = clock.now
    clock.now = datetime(2026, 9, 1, 9, 0, tzinfo=LONDON)
    reply_to(slack, "/mentor", f"assign {mention(AMY)} {mention(DEV)} ect", user=ADMIN)
    reply_to(slack, "/mentor", f"assign {mention(AMY)} {mention(BEN)} trainee", user=ADMIN)
    clock.now = started
    for who, role in ((TIA, "tutor"), (HAL, "head"), (LEO, "lead")):
        reply_to(slack, "/mentor", f"role add {mention(who)} {role}", user=ADMIN)
    emulator.reset()


# --- helpers ---------------------------------------------------------------------------------------------------


def open_modal(slack: SlackDriver, command: str, text: str, *, user: str) -> dict[str, Any]:
    before = len(slack.emulator.calls_to("views.open"))
    result = slack.command(command, text, user=user)
    assert result.status == 200 and not result.body, result.text
    wait_until(lambda: len(slack.emulator.calls_to("views.open")) > before, what=f"the {command} modal")
    return dict(slack.emulator.calls_to("views.open")[before].params["view"]) | {
        "id": slack.emulator.open_views()[-1]["id"]
    }


def submit(slack: SlackDriver, view: dict[str, Any], answers: dict[str, Any], *, user: str) -> Any:
    result = slack.submit(view, state_for(view, answers), user=user)
    assert result.status == 200, result.text
    return result.json if result.body else None


def latest_dm(emulator: SlackEmulator, user: str, *, count: int = 1) -> dict[str, Any]:
    wait_until(lambda: len(emulator.messages_to(user)) >= count, what=f"a DM to {user}")
    call = [c for c in emulator.calls_to("chat.postMessage") if c.params.get("channel") == user][-1]
    assert call.response is not None
    channel, ts = call.response["channel"], call.response["ts"]
    current = next(m for m in emulator.history(channel) if m["ts"] == ts)
    return {**current, "channel": channel}


def dm_with(emulator: SlackEmulator, user: str, words: str) -> dict[str, Any]:
    """The latest DM to `user` whose text has `words`, as it now stands (with its channel, for its buttons)."""

    def find() -> dict[str, Any] | None:
        for call in reversed([c for c in emulator.calls_to("chat.postMessage") if c.params.get("channel") == user]):
            if call.response is None:
                continue
            channel, ts = call.response["channel"], call.response["ts"]
            current = next(m for m in emulator.history(channel) if m["ts"] == ts)
            if words in shown(current):
                return {**current, "channel": channel}
        return None

    found = wait_until(find, what=f"a DM to {user} saying {words!r}")
    assert found is not None
    return found


def shown(message: dict[str, Any]) -> str:
    return str(message.get("text", "")) + "\n" + block_text(message.get("blocks", []))


def set_induction(slack: SlackDriver, mentee: str = DEV, *, user: str = ADMIN, **answers: Any) -> Any:
    view = open_modal(slack, "/mentor", f"induction {mention(mentee)}", user=user)
    filled = {"start": "2026-09-02", "fraction": "1", "appropriate_body": "North Teaching School Hub"}
    filled |= {"tutor": TIA, "trn": "1234567", "date_of_birth": "1998-05-14", "days_absent": "0"}
    filled.update(answers)
    return submit(slack, view, filled, user=user)


def click(slack: SlackDriver, message: dict[str, Any], action_id: str, *, user: str) -> None:
    for block in message.get("blocks", []):
        for element in block.get("elements", []):
            if isinstance(element, dict) and element.get("action_id") == action_id:
                result = slack.click(
                    action_id,
                    user=user,
                    value=element.get("value"),
                    block_id=block["block_id"],
                    message=message,
                    channel=message["channel"],
                )
                assert result.status == 200, result.text
                return
    raise AssertionError(f"no {action_id} in {shown(message)}")


def rows(db: Database, model: Any) -> list[Any]:
    with db.unit_of_work() as session:
        return list(session.scalars(select(model).order_by(model.id)))


# --- induction details and the schedule ----------------------------------------------------------------------


def test_a_full_time_september_ect_gets_reviews_in_terms_1_2_4_5_and_assessments_in_terms_3_and_6(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    view = open_modal(slack, "/mentor", f"induction {mention(DEV)}", user=ADMIN)
    assert view["title"]["text"] == "Induction details"
    assert {b["block_id"] for b in view["blocks"] if b["type"] == "input"} == {
        "start", "fraction", "appropriate_body", "tutor", "trn", "date_of_birth", "days_absent", "left_on",
    }  # fmt: skip

    assert set_induction(slack) is None  # the modal closes

    [induction] = rows(db, Induction)
    assert (induction.start_date, induction.fte_percent, induction.tutor_id) == (date(2026, 9, 2), 100, TIA)
    assert (induction.trn, induction.appropriate_body) == ("1234567", "North Teaching School Hub")
    assert induction.date_of_birth == date(1998, 5, 14)
    mentorship = next(m for m in rows(db, Mentorship) if m.mentee_id == DEV)
    assert mentorship.end_date == date(2028, 7, 21)  # the length of induction, not one year
    text = shown(latest_dm(emulator, ADMIN))
    assert "Induction: 6 terms, expected to end 21 July 2028." in text
    lines = [line for line in text.splitlines() if "due" in line]
    assert [line.split(" · ")[0].split(" ", 1)[1] for line in lines] == [
        "Progress review — term 1",
        "Progress review — term 2",
        "Formal assessment 1 — term 3",
        "Progress review — term 4",
        "Progress review — term 5",
        "Formal assessment 2 (final) — term 6",
    ]
    assert "due Fri 18 Dec 2026" in lines[0] and "due Wed 21 Jul 2027" in lines[2] and "due Fri 21 Jul 2028" in lines[5]


def test_a_part_time_ect_gets_a_review_every_term_and_a_longer_induction(
    slack: SlackDriver, emulator: SlackEmulator
) -> None:
    set_induction(slack, fraction="0.6")

    text = shown(latest_dm(emulator, ADMIN))
    assert "Induction: 10 terms (part time, pro rata), expected to end 20 December 2029." in text
    assert "Formal assessment 1 — term 5 · due Fri 31 Mar 2028" in text
    assert "Progress review — term 4" in text and "Progress review — term 6" in text
    assert "Autumn" not in text and "(estimated date)" in text  # 2028-29 onwards is estimated


def test_a_january_starter_mid_term_has_the_first_review_by_half_way_through_the_next_term(
    slack: SlackDriver, emulator: SlackEmulator
) -> None:
    set_induction(slack, start="2027-01-18")

    text = shown(latest_dm(emulator, ADMIN))
    assert "Progress review — term 1 · due Fri 28 May 2027" in text  # before the summer half term


def test_thirty_days_absence_moves_the_end_date(slack: SlackDriver, db: Database, emulator: SlackEmulator) -> None:
    set_induction(slack)

    reply = reply_to(slack, "/mentor", f"induction {mention(DEV)} absent 30", user=LEO)

    assert "Added 30 days' absence" in reply and "(30 in total)" in reply
    assert "expected to end 13 October 2028" in reply
    assert "Formal assessment 2 (final) — term 7 · due Fri 13 Oct 2028 (estimated date)" in reply
    assert rows(db, Induction)[0].days_absent == 30


def test_bad_induction_details_get_field_errors_and_nothing_is_stored(slack: SlackDriver, db: Database) -> None:
    reply = set_induction(
        slack, start="2027-09-01", fraction="1.5", days_absent="-2", trn="12", date_of_birth="2027-01-04"
    )

    assert reply["response_action"] == "errors"
    errors = reply["errors"]
    assert "beyond next term (which ends 25 March 2027)" in errors["start"]
    assert "from 0.1 to 1.0" in errors["fraction"]
    assert "zero or more" in errors["days_absent"]
    assert "7 digits" in errors["trn"]
    assert errors["date_of_birth"] == "A date of birth can't be in the future."
    assert rows(db, Induction) == []


def test_a_date_of_birth_making_the_teacher_younger_than_18_is_a_field_error(slack: SlackDriver, db: Database) -> None:
    reply = set_induction(slack, date_of_birth="2010-01-04")

    assert reply["response_action"] == "errors"
    assert reply["errors"] == {"date_of_birth": "That makes the teacher younger than 18: check the year."}
    assert rows(db, Induction) == []

    assert set_induction(slack, date_of_birth="") is None  # optional: left empty, it is stored as not given
    assert rows(db, Induction)[0].date_of_birth is None


def test_only_leads_and_admins_set_induction_details(slack: SlackDriver, emulator: SlackEmulator) -> None:
    reply = reply_to(slack, "/mentor", f"induction {mention(DEV)}", user=AMY)
    assert "only lead mentors and the bot's admins can set induction details" in reply
    assert emulator.calls_to("views.open") == []


def test_provider_review_points_for_a_trainee(slack: SlackDriver, emulator: SlackEmulator) -> None:
    reply = reply_to(slack, "/mentor", f"reviews {mention(BEN)} Mid-point 2026-12-04 Final review 19/03/2027", user=LEO)
    assert "Review points saved" in reply
    assert "Mid-point · due Fri 4 Dec 2026 · _due soon_" in reply
    assert "Final review · due Fri 19 Mar 2027" in reply


# --- writing a review -----------------------------------------------------------------------------------------


def log_meeting(slack: SlackDriver, clock: FakeClock, day: date, target: str | None = None) -> None:
    clock.now = datetime.combine(day, datetime.min.time(), tzinfo=LONDON) + timedelta(hours=16)
    view = open_modal(slack, "/meeting", mention(DEV), user=AMY)
    answers = {"held_on": day.isoformat(), "duration": "40", "notes": "Talked through the week.", "wellbeing": "4"}
    if target:
        answers["new_text_0"] = target
    assert submit(slack, view, answers, user=AMY) is None


def observe(slack: SlackDriver, clock: FakeClock, day: date, **ratings: str) -> None:
    clock.now = datetime.combine(day, datetime.min.time(), tzinfo=LONDON) + timedelta(hours=12)
    view = open_modal(slack, "/observe", mention(DEV), user=AMY)
    answers: dict[str, Any] = {
        "date": day.isoformat(),
        "subject": "Maths",
        "class_group": "Year 5",
        **{f"field:{key}": "partly" for key in STANDARDS},
        "field:standard_8": "na",
        "field:strengths": f"Calm routines on {day:%-d %B}.",
        "field:development": "Check understanding before moving on.",
        "field:on_track": "yes",
        "field:next_steps": "Hinge questions.",
    }
    answers |= {f"field:{key}": value for key, value in ratings.items()}
    assert submit(slack, view, answers, user=AMY) is None


ENTITLEMENT = "Yes: 10% timetable reduction and weekly mentoring since September."
EVIDENCE = (
    "Standards 1 and 7: calm, consistent routines seen in both observations (7 Oct, 18 Nov). "
    "Standard 3: misconceptions now addressed (not demonstrated in October, partly in November)."
)


def a_term_of_records(slack: SlackDriver, clock: FakeClock) -> None:
    set_induction(slack)
    log_meeting(slack, clock, date(2026, 10, 6), target="Use hinge questions in every maths lesson by Friday week")
    observe(slack, clock, date(2026, 10, 7), standard_3="not")
    log_meeting(slack, clock, date(2026, 11, 10))
    observe(slack, clock, date(2026, 11, 18), standard_3="partly", standard_1="fully")
    clock.now = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)


def test_a_review_is_drafted_from_a_term_of_records_signed_and_locked(
    slack: SlackDriver, db: Database, emulator: SlackEmulator, clock: FakeClock
) -> None:
    a_term_of_records(slack, clock)

    view = open_modal(slack, "/review", mention(DEV), user=AMY)

    draft = block_text(view["blocks"])
    assert "*Progress review — term 1* for <@UDEV0001>" in draft
    assert "Period 2 September 2026 – 24 November 2026 · due 18 December 2026" in draft
    assert "*Meetings:* 2 held of 12 expected (weekly); 0 signed off by the teacher · 6 Oct, 10 Nov" in draft
    assert "*Targets:* 1 set · 0 met · 1 carried forward · 0 not met · 1 still open" in draft
    assert "Carried: Use hinge questions in every maths lesson (set 6 Oct, due 16 Oct)" in draft
    assert "*Observations:* 2" in draft
    assert "“Calm routines on 18 November.”" in draft
    assert "No evidence yet for:* Standard 8" in draft
    table = next(line for line in draft.splitlines() if line.startswith("3 Subject"))
    assert table.split()[-3:] == ["Not", "Partly", "improving"]
    assert len(view["blocks"]) <= 100

    refused = submit(slack, view, {"evidence": "Fine.", "target_text_0": "Plan a hinge question"}, user=AMY)
    assert refused["response_action"] == "errors" and set(refused["errors"]) == {
        "evidence", "on_track", "q_entitlement", "target_due_0",
    }  # fmt: skip
    assert "appropriate bodies send back reviews" in refused["errors"]["evidence"]
    assert rows(db, Review) == []

    reply = submit(
        slack,
        view,
        {
            "evidence": EVIDENCE,
            "on_track": "yes",
            "q_entitlement": ENTITLEMENT,
            "target_text_0": "Plan a hinge question",
            "target_due_0": "2026-12-11",
        },
        user=AMY,
    )

    assert reply is None
    [review] = rows(db, Review)
    assert (review.kind.value, review.point_key, review.on_track, review.status) == (
        "progress", "term:1", True, ReviewStatus.SIGNING,
    )  # fmt: skip
    assert review.figures["meetings"]["held"] == 2 and review.figures["no_evidence"] == ["8"]
    [agreed] = [t for t in rows(db, Target) if t.id in review.target_ids]
    assert (agreed.text, agreed.due_on, agreed.set_by) == ("Plan a hinge question", date(2026, 12, 11), AMY)
    message = dm_with(emulator, DEV, "Progress review — term 1")
    assert "Standard 3: misconceptions now addressed" in shown(message)
    assert "Plan a hinge question — due 11 December 2026" in shown(message)
    assert "full entitlement" in shown(message) and ENTITLEMENT in shown(message)
    assert "Mentor: <@UAMY0001>, signed 24 November 2026" in shown(message)

    click(slack, message, ids.SIGN, user=DEV)

    wait_until(lambda: rows(db, Review)[0].status is ReviewStatus.LOCKED, what="the lock")
    assert all(s.signed_at is not None for s in rows(db, ReviewSignature))
    wait_until(lambda: ":lock:" in shown(latest_dm(emulator, AMY)), what="the author told")
    wait_until(
        lambda: "Signed by everyone and locked" in shown(dm_with(emulator, DEV, "term 1")), what="the lock shown"
    )


def test_a_review_for_a_period_with_no_records_says_so(slack: SlackDriver) -> None:
    set_induction(slack)
    view = open_modal(slack, "/review", mention(DEV), user=AMY)
    assert "No records in this period" in block_text(view["blocks"])


def test_a_correction_is_a_new_version_that_asks_for_signatures_again(
    slack: SlackDriver, db: Database, emulator: SlackEmulator, clock: FakeClock
) -> None:
    set_induction(slack)
    view = open_modal(slack, "/review", mention(DEV), user=AMY)
    submit(slack, view, {"evidence": EVIDENCE, "on_track": "no", "q_entitlement": ENTITLEMENT}, user=AMY)
    mine = dm_with(emulator, AMY, "Progress review — term 1")
    assert "Not on track: start a support plan" in shown(mine)
    plan_buttons = [
        e for b in mine["blocks"] if b.get("type") == "actions" for e in b["elements"] if e["action_id"] == START_PLAN
    ]
    assert [e["value"] for e in plan_buttons] == [DEV]  # the concerns feature's Start a support plan, for Dev
    theirs = dm_with(emulator, DEV, "term 1")
    assert START_PLAN not in str(theirs["blocks"])  # never offered to the teacher the review is about

    before = len(emulator.calls_to("views.open"))
    click(slack, mine, ids.CORRECT, user=AMY)
    wait_until(lambda: len(emulator.calls_to("views.open")) > before, what="the correction modal")
    correction = emulator.open_views()[-1]
    evidence = next(b for b in correction["blocks"] if b.get("block_id") == "evidence")
    assert evidence["element"]["initial_value"] == EVIDENCE
    answer = next(b for b in correction["blocks"] if b.get("block_id") == "q_entitlement")
    assert answer["element"]["initial_value"] == ENTITLEMENT
    submit(
        slack,
        correction,
        {"evidence": EVIDENCE + " Corrected.", "on_track": "yes", "q_entitlement": ENTITLEMENT},
        user=AMY,
    )

    old, new = rows(db, Review)
    assert (old.status, new.status, new.version, new.supersedes_id) == (
        ReviewStatus.SUPERSEDED, ReviewStatus.SIGNING, 2, old.id,
    )  # fmt: skip
    assert "version 2" in shown(dm_with(emulator, DEV, "version 2"))


def test_a_mentor_cannot_complete_a_formal_assessment_but_the_tutor_and_head_sign_it(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    set_induction(slack, start="2026-01-05")  # term 3 is this autumn: a formal assessment
    opened = len(emulator.calls_to("views.open"))

    refusal = reply_to(slack, "/review", mention(DEV), user=AMY)

    assert "only the induction tutor or the headteacher (never the mentor) can complete a formal" in refusal
    assert len(emulator.calls_to("views.open")) == opened

    view = open_modal(slack, "/review", mention(DEV), user=TIA)
    assert "*Formal assessment 1 — term 3*" in block_text(view["blocks"])
    submit(slack, view, {"evidence": EVIDENCE, "on_track": "yes", "q_entitlement": ENTITLEMENT}, user=TIA)

    signatures = {s.capacity: s for s in rows(db, ReviewSignature)}
    assert {c: (s.signer_id, s.signed_at is not None) for c, s in signatures.items()} == {
        Capacity.TUTOR: (TIA, True),
        Capacity.HEAD: (HAL, False),
        Capacity.MENTEE: (DEV, False),
    }
    click(slack, dm_with(emulator, HAL, "Formal assessment 1"), ids.SIGN, user=HAL)
    wait_until(lambda: rows(db, ReviewSignature)[1].signed_at is not None, what="the head's signature")
    assert rows(db, Review)[0].status is ReviewStatus.SIGNING
    click(slack, dm_with(emulator, DEV, "Formal assessment 1"), ids.SIGN, user=DEV)
    wait_until(lambda: rows(db, Review)[0].status is ReviewStatus.LOCKED, what="the lock")


# --- reminders ------------------------------------------------------------------------------------------------


def test_the_reviewer_is_reminded_a_week_before_and_on_the_day_on_school_days_once_each(
    slack: SlackDriver, deps: Deps, emulator: SlackEmulator, clock: FakeClock
) -> None:
    set_induction(slack)
    client = make_web_client(deps.settings)
    emulator.reset()

    def remind(day: date) -> list[str]:
        clock.now = datetime.combine(day, datetime.min.time(), tzinfo=LONDON) + timedelta(hours=9)
        before = len(emulator.messages_to(AMY))
        send_review_reminders(deps, client, "T0001")
        return [m["text"] for m in emulator.messages_to(AMY)[before:]]

    assert remind(date(2026, 12, 10)) == []
    [week_before] = remind(date(2026, 12, 11))  # Friday, a week before Friday 18 December
    assert "Progress review — term 1 is due in a week, on Friday 18 December" in week_before
    assert remind(date(2026, 12, 11)) == []  # once
    assert remind(date(2026, 12, 12)) == []  # a Saturday
    [on_the_day] = remind(date(2026, 12, 18))
    assert "is due today" in on_the_day and "`/review <@UDEV0001>`" in on_the_day
    assert remind(date(2026, 12, 18)) == []


def test_the_running_bot_reminds_reviewers_in_every_workspace(
    slack: SlackDriver, deps: Deps, emulator: SlackEmulator, clock: FakeClock
) -> None:
    set_induction(slack)
    job = build_scheduler(deps).get_job(REVIEW_REMINDER_JOB)
    clock.now = datetime(2026, 12, 11, 9, 30, tzinfo=LONDON)
    before = len(emulator.messages_to(AMY))

    job.func(*job.args)
    job.func(*job.args)

    [reminder] = emulator.messages_to(AMY)[before:]
    assert "is due in a week" in reminder["text"]


# --- where schedules are shown --------------------------------------------------------------------------------


def home_text(slack: SlackDriver, user: str) -> str:
    emulator = slack.emulator
    before = len(emulator.calls_to("views.publish"))
    assert slack.open_home(user).status == 200
    wait_until(lambda: len(emulator.calls_to("views.publish")) > before, what=f"{user}'s Home")
    view = emulator.published_home(user)
    assert view is not None and len(view["blocks"]) <= 100
    return block_text(view["blocks"])


def test_schedules_show_on_the_mentees_mentors_tutors_and_leads_home_tabs(slack: SlackDriver) -> None:
    set_induction(slack)
    reply_to(slack, "/mentor", f"reviews {mention(BEN)} Mid-point 2026-12-04", user=LEO)

    own = home_text(slack, DEV)
    assert "*Reviews*" in own and "Progress review — term 1 · due Fri 18 Dec 2026" in own
    assert "Progress review — term 2 · due Thu 25 Mar 2027" in own  # the next three of their own
    mentor = home_text(slack, AMY)
    assert "<@UBEN0001>: Mid-point · due Fri 4 Dec 2026 · _due soon_" in mentor
    assert "<@UDEV0001>: Progress review — term 1 · due Fri 18 Dec 2026" in mentor
    tutor = home_text(slack, TIA)
    assert "<@UDEV0001>: Progress review — term 1" in tutor and "UBEN0001" not in tutor
    lead = home_text(slack, LEO)
    assert "<@UDEV0001>: Progress review — term 1" in lead and "<@UBEN0001>: Mid-point" in lead


def test_the_lead_digest_lists_reviews_due_in_the_next_two_weeks_and_overdue(
    slack: SlackDriver, deps: Deps, emulator: SlackEmulator, clock: FakeClock
) -> None:
    from bot.app.scheduler import digest_tick

    set_induction(slack)
    reply_to(slack, "/mentor", f"reviews {mention(BEN)} Mid-point 2026-12-04", user=LEO)
    clock.now = datetime(2026, 12, 11, 15, 5, tzinfo=LONDON)  # Friday, after the digest time

    digest_tick(deps, make_web_client(deps.settings), "T0001")

    digest = block_text(wait_until(lambda: emulator.messages_to(LEO), what="the digest")[0]["blocks"])
    part = digest[digest.index("*Reviews overdue or due in the next two weeks*") :]
    assert part.index("<@UBEN0001>: Mid-point · due Fri 4 Dec 2026 · _overdue_") < part.index(
        "<@UDEV0001>: Progress review — term 1 · due Fri 18 Dec 2026 · _due soon_"
    )


# --- the report ---------------------------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_report_pdf_and_csv_carry_the_figures_and_signatures_and_are_audited(
    slack: SlackDriver, db: Database, emulator: SlackEmulator, clock: FakeClock
) -> None:
    a_term_of_records(slack, clock)
    view = open_modal(slack, "/review", mention(DEV), user=AMY)
    answers = {"evidence": EVIDENCE, "on_track": "yes", "q_entitlement": ENTITLEMENT}
    submit(slack, view, answers | {"target_text_0": "Plan a hinge question", "target_due_0": "2026-12-11"}, user=AMY)
    click(slack, dm_with(emulator, DEV, "Progress review — term 1"), ids.SIGN, user=DEV)
    wait_until(lambda: rows(db, Review)[0].status is ReviewStatus.LOCKED, what="the lock")

    reply = reply_to(slack, "/review", f"report {mention(DEV)}", user=LEO)

    assert "Preparing Progress review — term 1 for <@UDEV0001>: the PDF and CSV will be in our DM" in reply
    wait_until(lambda: len(emulator.uploaded_files) == 2, timeout=30, what="the report's files")
    files = {f["filename"]: f for f in emulator.uploaded_files}
    assert "the report as a PDF and a CSV of the same fields" in files[next(iter(files))]["initial_comment"]
    assert set(files) == {"dev-early-progress-review-term-1-v1.pdf", "dev-early-progress-review-term-1-v1.csv"}
    pdf = files["dev-early-progress-review-term-1-v1.pdf"]
    assert pdf["channels"] and pdf["channels"][0].startswith("D")  # Leo's DM
    text = pdf_text(pdf["content"])
    for expected in (
        "Progress review — term 1: Dev Early",
        "Teacher reference number 1234567",
        "Date of birth 14 May 1998",
        "North Teaching School Hub",
        "Period covered 2 September 2026 – 24 November 2026",
        "Term number 1",
        "Full or part time Full time",
        "Days absent 0",
        "On track Yes",
        "Standard 3: misconceptions now addressed",
        "2 held of 12 expected (weekly)",
        "Plan a hinge question",
        ENTITLEMENT,
        "Signed by everyone and locked on 24 November 2026.",
    ):
        assert expected in " ".join(text.split()), expected
    assert "Teacher Dev Early 24 Nov 2026" in " ".join(text.split())  # the teacher's signature and its date
    csv = files["dev-early-progress-review-term-1-v1.csv"]["content"].decode("utf-8-sig").splitlines()
    header, values = list(csv_module.reader(csv))
    record = dict(zip(header, values, strict=True))
    assert (record["teacher"], record["teacher_reference_number"], record["on_track"]) == (
        "Dev Early",
        "1234567",
        "yes",
    )
    assert record["date_of_birth"] == "1998-05-14"
    assert (record["meetings_held"], record["meetings_expected"], record["q_entitlement"]) == ("2", "12", ENTITLEMENT)
    assert record["signatures"] == "Mentor: Amy Mentor (2026-11-24); Teacher: Dev Early (2026-11-24)"
    with db.unit_of_work() as session:
        audited = session.scalars(select(AuditEntry).where(AuditEntry.action == "review.report")).all()
        assert [(a.actor_id, a.subject_id) for a in audited] == [(LEO, DEV)]


def test_only_those_who_may_see_the_records_get_a_report(slack: SlackDriver, emulator: SlackEmulator) -> None:
    set_induction(slack)
    view = open_modal(slack, "/review", mention(DEV), user=AMY)
    submit(slack, view, {"evidence": EVIDENCE, "on_track": "yes", "q_entitlement": ENTITLEMENT}, user=AMY)

    reply = reply_to(slack, "/review", f"report {mention(DEV)}", user=BEN)

    assert "Sorry, only the teacher, their mentors, lead mentors, SLT, induction tutors and the headteacher" in reply
    assert emulator.uploaded_files == []


def test_operators_write_the_report_to_files_with_python_m_bot_report(
    slack: SlackDriver,
    emulator: SlackEmulator,
    backend: BackendDatabase,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    set_induction(slack)
    view = open_modal(slack, "/review", mention(DEV), user=AMY)
    submit(slack, view, {"evidence": EVIDENCE, "on_track": "no", "q_entitlement": ENTITLEMENT}, user=AMY)
    for name, value in (
        ("SLACK_BOT_TOKEN", emulator.bot_token),
        ("SLACK_SIGNING_SECRET", SIGNING_SECRET),
        ("SLACK_API_URL", emulator.api_url),
        ("DATABASE_URL", backend.url),
    ):
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)

    assert cli.main(["report", "--team", "T0001", "--user", DEV, "--review", "term 1", "--out", "out"]) == 0

    out = capsys.readouterr().out
    assert "Progress review — term 1 for Dev Early (version 1):" in out
    text = " ".join(pdf_text((tmp_path / "out" / "dev-early-progress-review-term-1-v1.pdf").read_bytes()).split())
    assert "On track No" in text and "Standard 3: misconceptions now addressed" in text
    assert (tmp_path / "out" / "dev-early-progress-review-term-1-v1.csv").read_bytes().startswith(b"\xef\xbb\xbf")

    assert cli.main(["report", "--team", "T0001", "--user", DEV, "--review", "term 5"]) == 1
    assert "has no review called “term 5”" in capsys.readouterr().err


def test_a_pdf_too_large_for_slack_is_summarised_never_dropped(
    slack: SlackDriver, deps: Deps, clock: FakeClock
) -> None:
    a_term_of_records(slack, clock)
    view = open_modal(slack, "/review", mention(DEV), user=AMY)
    submit(slack, view, {"evidence": EVIDENCE, "on_track": "yes", "q_entitlement": ENTITLEMENT}, user=AMY)
    data = deps.review_reports.report_for_operator("T0001", DEV, None, clock.now)

    full, summarised = review_pdf(data, LONDON)
    small, was_summarised = review_pdf(data, LONDON, limit=len(full) - 1)

    assert not summarised and was_summarised and 0 < len(small) < len(full)
    text = " ".join(pdf_text(small).split())
    assert "Summarised to fit Slack's upload limit" in text and "Standard 3: misconceptions now addressed" in text


def test_export_and_erasure_cover_induction_details_and_reviews(
    slack: SlackDriver, db: Database, emulator: SlackEmulator, clock: FakeClock
) -> None:
    a_term_of_records(slack, clock)
    view = open_modal(slack, "/review", mention(DEV), user=AMY)
    submit(slack, view, {"evidence": EVIDENCE, "on_track": "yes", "q_entitlement": ENTITLEMENT}, user=AMY)
    message = dm_with(emulator, DEV, "Progress review — term 1")
    before = len(emulator.calls_to("views.open"))
    click(slack, message, ids.COMMENT, user=DEV)
    wait_until(lambda: len(emulator.calls_to("views.open")) > before, what="the comment modal")
    submit(slack, emulator.open_views()[-1], {"comment": "I agree with the targets."}, user=DEV)
    wait_until(lambda: any(s.comment for s in rows(db, ReviewSignature)), what="the comment")

    exported = privacy.export_person(db, "T0001", DEV, clock.now)

    assert exported.rows("inductions")[0].values["trn"] == "1234567"
    assert exported.rows("inductions")[0].values["date_of_birth"] == date(1998, 5, 14)
    [review] = exported.rows("reviews")
    assert review.values["evidence"] == EVIDENCE and review.values["answers"] == {"entitlement": ENTITLEMENT}
    assert [s.values["comment"] for s in exported.rows("review_signatures") if s.values["comment"]] == [
        "I agree with the targets."
    ]

    privacy.erase_person(db, "T0001", DEV, clock.now)

    [stored] = rows(db, Review)
    assert EVIDENCE not in stored.evidence and ENTITLEMENT not in str(stored.answers)
    assert "Calm routines" not in str(stored.figures) and stored.figures["meetings"]["held"] == 2  # numbers kept
    assert rows(db, Induction)[0].date_of_birth is None
    assert rows(db, Induction)[0].trn is None and not rows(db, Induction)[0].mentee_id.startswith("UDEV")
    assert not any(s.comment and "agree" in s.comment for s in rows(db, ReviewSignature))
