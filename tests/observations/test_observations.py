"""/observe end to end: signed requests to the real endpoint, the Slack emulator, and what is stored."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from handlers.observations import ids as observation_ids
from storage.db import Database
from storage.observations import Observation, ObservationRevision, Rating
from storage.roster import AuditEntry
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver, state_for, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.observations import STANDARDS, button, dms_to, full_answers, observations, open_form, submit
from tests.support.people import ADMIN, AMY, BEN, CAT, LEO, SAM
from tests.support.school import add_people, enrol
from tests.support.slack import block_text, mention, modal_on_screen, modals_opened, reply_to


@pytest.fixture(autouse=True)
def school(slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock) -> None:
    """Amy mentors Ben (a trainee) since 2 November; Leo is lead mentor, Sam is SLT, Cat a colleague."""
    add_people(emulator, ADMIN, AMY, BEN, LEO, SAM, CAT)
    enrol(slack, clock, mentees={BEN: "trainee"}, lead=LEO, slt=SAM)


def next_modal(emulator: SlackEmulator, click: Any) -> dict[str, Any]:
    """Press something and return the modal the bot opens in answer (not an earlier one)."""
    before = modals_opened(emulator)
    click()
    return modal_on_screen(emulator, opened_before=before, what="a modal")


def test_the_observation_form_has_every_standard_with_its_sub_points(slack: SlackDriver) -> None:
    view = open_form(slack, mention(BEN, "ben"))

    assert view["title"]["text"] == "Lesson observation"
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    for key in STANDARDS:
        options = [o["text"]["text"] for o in inputs[f"field:{key}"]["element"]["options"]]
        assert options == ["N/A in this observation", "Not demonstrated", "Partly demonstrated", "Fully demonstrated"]
    assert "1a establish a safe and stimulating environment" in inputs["field:standard_1"]["hint"]["text"]
    assert "2.1b having regard for the need to safeguard" in inputs["field:part_two"]["hint"]["text"]
    assert inputs["date"]["element"]["initial_date"] == "2026-11-24"
    assert {"subject", "class_group", "pupils", "duration", "focus", "second_observer"} <= inputs.keys()
    assert {
        "field:strengths",
        "field:development",
        "field:concerns",
        "field:on_track",
        "field:next_steps",
    } <= inputs.keys()
    assert len(view["blocks"]) <= 100


def test_a_saved_observation_reaches_the_teacher_who_reflects_and_the_mentor_is_told(
    slack: SlackDriver, emulator: SlackEmulator, db: Database
) -> None:
    view = open_form(slack, mention(BEN, "ben"))

    assert submit(slack, view, full_answers()) is None  # the modal closes

    [stored] = observations(db)
    assert (stored.teacher_id, stored.observer_id, stored.form_key) == (BEN, AMY, "ect")
    assert (stored.observed_on, stored.subject, stored.pupils, stored.on_track) == (
        date(2026, 11, 24),
        "Maths",
        28,
        True,
    )
    assert stored.entry("standard_3").rating is Rating.NOT_DEMONSTRATED  # type: ignore[union-attr]
    assert stored.entry("standard_7").rating is Rating.FULLY  # type: ignore[union-attr]
    assert stored.text("next_steps") == "Plan hinge questions for each lesson next week."
    [to_ben] = wait_until(lambda: dms_to(emulator, BEN), what="the teacher's DM")
    seen = block_text(to_ben["blocks"])
    assert "Your lesson observation" in seen and "Warm, calm routines" in seen
    assert "Not demonstrated" in seen and "Plan hinge questions" in seen
    reflect = button(to_ben, observation_ids.REFLECT_ACTION)
    [confirmation] = wait_until(lambda: dms_to(emulator, AMY), what="the observer's confirmation")
    assert "Saved your observation of <@UBEN0001>" in confirmation["text"]
    assert dms_to(emulator, LEO) == []  # on track and no concern: the lead isn't disturbed

    slack.click(
        observation_ids.REFLECT_ACTION, user=BEN, value=reflect["value"], message=to_ben, channel=to_ben["channel"]
    )
    reflection_view = wait_until(
        lambda: [v for v in emulator.open_views() if v.get("callback_id") == observation_ids.REFLECT_CALLBACK],
        what="reflection modal",
    )[0]
    answers = {"reflection": "I rushed the plenary.", "reflection_next_steps": "Use exit tickets."}
    assert submit(slack, reflection_view, answers, user=BEN) is None

    [stored] = observations(db)
    assert (stored.reflection, stored.reflection_next_steps) == ("I rushed the plenary.", "Use exit tickets.")
    assert stored.reflected_at is not None
    told = wait_until(
        lambda: [m for m in dms_to(emulator, AMY) if "added their reflection" in m["text"]], what="notice"
    )
    assert "I rushed the plenary." in block_text(told[0]["blocks"])
    updated = wait_until(lambda: emulator.calls_to("chat.update"), what="the teacher's DM updated")
    assert "You added your reflection" in block_text(updated[-1].params["blocks"])


def test_slacks_retry_of_a_submission_stores_once_and_tells_once(
    slack: SlackDriver, emulator: SlackEmulator, db: Database
) -> None:
    view = open_form(slack, mention(BEN))
    state = state_for(view, full_answers())

    first = slack.submit(view, state, user=AMY)
    retry = slack.submit(
        view, state, user=AMY, extra_headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )

    assert first.status == retry.status == 200
    assert len(observations(db)) == 1
    wait_until(lambda: dms_to(emulator, AMY), what="confirmation")
    assert len(dms_to(emulator, BEN)) == 1


def test_not_on_track_or_a_concern_tells_each_lead_mentor_at_once(
    slack: SlackDriver, emulator: SlackEmulator, db: Database
) -> None:
    view = open_form(slack, mention(BEN))

    submit(
        slack, view, full_answers(**{"field:on_track": "no", "field:concerns": "Safeguarding procedure not followed."})
    )

    [alert] = wait_until(lambda: dms_to(emulator, LEO), what="the lead's alert")
    assert (
        "not yet on track" in alert["blocks"][0]["text"]["text"] and "a concern" in alert["blocks"][0]["text"]["text"]
    )
    assert "Safeguarding procedure not followed." in block_text(alert["blocks"])
    [stored] = observations(db)
    assert stored.on_track is False and stored.has_concern is True
    confirmation = wait_until(lambda: dms_to(emulator, AMY), what="confirmation")[0]
    assert "The lead mentors have been told." in block_text(confirmation["blocks"])
    assert dms_to(emulator, SAM) == []


def test_bad_input_gets_field_errors_and_nothing_is_stored(slack: SlackDriver, db: Database) -> None:
    view = open_form(slack, mention(BEN))

    errors = submit(
        slack, view, full_answers(**{"date": "2026-11-25", "field:standard_4": None, "field:strengths": None})
    )
    before_start = submit(slack, view, full_answers(date="2026-10-30"))

    assert errors["response_action"] == "errors"
    assert "can't be in the future" in errors["errors"]["date"]
    assert "Choose a rating" in errors["errors"]["field:standard_4"]
    assert "Please fill in “Strengths”" in errors["errors"]["field:strengths"]
    assert "before the mentorship started (2 November 2026)" in before_start["errors"]["date"]
    assert observations(db) == []


def test_someone_who_is_not_the_teachers_mentor_cannot_observe_them(
    slack: SlackDriver, emulator: SlackEmulator
) -> None:
    text = reply_to(slack, "/observe", mention(BEN), user=CAT)

    assert "Sorry, only the teacher's mentors, lead mentors, SLT and the bot's admins can record an observation" in text
    assert emulator.calls_to("views.open") == []


def test_a_teacher_with_no_mentorship_cannot_be_observed(slack: SlackDriver, emulator: SlackEmulator) -> None:
    text = reply_to(slack, "/observe", mention(CAT), user=LEO)
    assert "<@UCAT0001> has no mentor yet" in text
    assert emulator.calls_to("views.open") == []


def test_bad_command_text_gets_the_usage(slack: SlackDriver) -> None:
    result = slack.command("/observe", "ben please", user=AMY)
    assert (
        "isn't a teacher I can recognise" in result.json["text"] and "Usage: `/observe @teacher`" in result.json["text"]
    )


def _saved(slack: SlackDriver, emulator: SlackEmulator, db: Database, **answers: Any) -> Observation:
    submit(slack, open_form(slack, mention(BEN)), full_answers(**answers))
    wait_until(lambda: dms_to(emulator, AMY), what="confirmation")
    return observations(db)[-1]


def test_only_the_right_people_can_read_an_observation(
    slack: SlackDriver, emulator: SlackEmulator, db: Database
) -> None:
    observation = _saved(slack, emulator, db, second_observer=SAM)

    def read_as(user: str) -> str:
        view = next_modal(
            emulator, lambda: slack.click(observation_ids.VIEW_ACTION, user=user, value=str(observation.id))
        )
        return block_text(view["blocks"])

    for reader in (BEN, AMY, LEO, SAM):
        assert "Warm, calm routines" in read_as(reader), reader
    for outsider in (CAT, ADMIN):
        refused = read_as(outsider)
        assert "Warm, calm routines" not in refused
        assert "Sorry, only the observed teacher, the observers, the teacher's mentors, lead mentors and SLT" in refused
    with db.unit_of_work() as session:
        reads = session.scalar(select(func.count()).where(AuditEntry.action == "observation.read"))
    assert reads == 4


def test_a_second_observer_who_is_a_colleague_can_read_it(
    slack: SlackDriver, emulator: SlackEmulator, db: Database
) -> None:
    observation = _saved(slack, emulator, db, second_observer=CAT)
    view = next_modal(emulator, lambda: slack.click(observation_ids.VIEW_ACTION, user=CAT, value=str(observation.id)))
    assert "observed by Amy Mentor and Cat Colleague" in block_text(view["blocks"])


def test_history_shows_ratings_over_time_to_those_allowed(
    slack: SlackDriver, emulator: SlackEmulator, db: Database, clock: FakeClock
) -> None:
    _saved(slack, emulator, db, date="2026-11-10")
    _saved(slack, emulator, db, **{"field:standard_3": "fully"})

    history = reply_to(slack, "/observe", f"history {mention(BEN)}", user=LEO)
    refused = reply_to(slack, "/observe", f"history {mention(BEN)}", user=CAT)

    assert "Observations of Ben Trainee" in history
    assert "3 Demonstrate good subject and curriculum knowledge: :red_circle: :large_green_circle:" in history
    assert history.index("24 Nov 2026") < history.index("10 Nov 2026")  # newest first
    assert "Sorry, only the observed teacher" in refused and "Warm" not in refused


def test_the_observer_corrects_within_seven_days_and_the_change_is_kept(
    slack: SlackDriver, emulator: SlackEmulator, db: Database, clock: FakeClock
) -> None:
    observation = _saved(slack, emulator, db)
    clock.now += timedelta(days=2)

    slack.click(observation_ids.EDIT_ACTION, user=AMY, value=str(observation.id))
    view = wait_until(
        lambda: [v for v in emulator.open_views() if v.get("callback_id") == observation_ids.EDIT_CALLBACK],
        what="correction modal",
    )[0]
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs["field:strengths"]["element"]["initial_value"].startswith("Warm, calm routines")
    assert inputs["field:standard_3"]["element"]["initial_option"]["value"] == "not"
    answers = full_answers(**{"field:standard_3": "partly", "field:next_steps": "Hinge questions daily."})
    assert submit(slack, view, answers) is None

    with db.unit_of_work() as session:
        [revision] = session.scalars(select(ObservationRevision)).all()
    assert revision.changed_by == AMY
    assert revision.changes["Standard 3 rating"] == ["Not demonstrated", "Partly demonstrated"]
    assert revision.changes["Next steps"][1] == "Hinge questions daily."
    assert observations(db)[0].entry("standard_3").rating is Rating.PARTLY  # type: ignore[union-attr]
    notice = wait_until(lambda: [m for m in dms_to(emulator, BEN) if "corrected" in m["text"]], what="notice")
    assert "Standard 3 rating" in notice[0]["text"]

    clock.now += timedelta(days=6)
    late = next_modal(emulator, lambda: slack.click(observation_ids.EDIT_ACTION, user=AMY, value=str(observation.id)))
    assert "can be corrected for 7 days" in block_text(late["blocks"])


def test_someone_else_cannot_correct_it(slack: SlackDriver, emulator: SlackEmulator, db: Database) -> None:
    observation = _saved(slack, emulator, db)
    view = next_modal(emulator, lambda: slack.click(observation_ids.EDIT_ACTION, user=LEO, value=str(observation.id)))
    assert "only the person who wrote it can correct this observation" in block_text(view["blocks"])


def test_observe_alone_asks_for_the_teacher(slack: SlackDriver, emulator: SlackEmulator, db: Database) -> None:
    view = open_form(slack, "")
    assert any(b.get("block_id") == "teacher" for b in view["blocks"])

    wrong = submit(slack, view, {**full_answers(), "teacher": CAT})
    assert "Sorry, only the teacher's mentors" in wrong["errors"]["teacher"]
    assert submit(slack, view, {**full_answers(), "teacher": BEN}) is None
    assert [o.teacher_id for o in observations(db)] == [BEN]


def test_the_mentor_can_switch_to_the_maths_mastery_form(
    slack: SlackDriver, emulator: SlackEmulator, db: Database
) -> None:
    view = open_form(slack, mention(BEN))
    typed = state_for(view, {"subject": "Maths", "date": "2026-11-24"})
    switched = {**view, "state": {"values": typed}}

    slack.click(
        observation_ids.FORM_CHOICE_ACTION,
        user=AMY,
        view=switched,
        block_id="form",
        extra_action={
            "type": "static_select",
            "selected_option": {"text": {"type": "plain_text", "text": "Maths"}, "value": "maths-mastery"},
        },
    )

    update = wait_until(lambda: emulator.calls_to("views.update"), what="the form switch")[-1]
    maths = update.params["view"]
    assert json.loads(maths["private_metadata"])["form"] == "maths-mastery"
    inputs = {b["block_id"]: b for b in maths["blocks"] if b["type"] == "input"}
    assert "field:procedural_variation" in inputs and "field:standard_1" not in inputs
    assert inputs["subject"]["element"]["initial_value"] == "Maths"
    maths_view = emulator.get_view(update.params["view_id"])
    assert maths_view is not None
    answers = {
        "date": "2026-11-24",
        "field:structure": "Concrete, pictorial, abstract.",
        "field:strategies": "Stem sentences.",
    }
    assert submit(slack, maths_view, answers) is None
    [stored] = observations(db)
    assert stored.form_key == "maths-mastery" and stored.on_track is None
    assert stored.text("strategies") == "Stem sentences."
