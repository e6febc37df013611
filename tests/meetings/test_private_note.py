"""The wellbeing note: the form says it is shared, and it can be kept private to mentors and leads (issue 12.13)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.privacy import service as privacy
from handlers.meetings import ids as meeting_ids
from storage.db import Database
from storage.meetings import Meeting
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.meetings import answers, open_modal, submit
from tests.support.people import ADMIN, AMY, BEN, LEO, TEAM
from tests.support.school import add_people, enrol
from tests.support.slack import block_text

NOTE = "Finding the commute hard; Tuesday late finishes."


@pytest.fixture(autouse=True)
def school(slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock) -> None:
    add_people(emulator, ADMIN, AMY, BEN, LEO)
    enrol(slack, clock, mentees={BEN: "trainee"}, lead=LEO)


def _inputs(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def test_the_form_says_the_note_is_shared_and_offers_to_keep_it_private(slack: SlackDriver) -> None:
    inputs = _inputs(open_modal(slack))

    assert "Shared with your mentee" in inputs["wellbeing_note"]["hint"]["text"]
    box = inputs["wellbeing_note_private"]["element"]
    assert box["type"] == "checkboxes" and "initial_options" not in box
    assert box["options"][0]["text"]["text"] == "Keep this note private to mentors and leads"


def test_a_shared_note_reaches_the_mentee(slack: SlackDriver, emulator: SlackEmulator, db: Database) -> None:
    submit(slack, open_modal(slack), answers({}, wellbeing_note=NOTE))

    [notes] = wait_until(lambda: emulator.messages_to(BEN), what="the notes DM")
    assert NOTE in block_text(notes["blocks"])


def test_a_private_note_is_stored_and_exported_but_never_sent_to_the_mentee(
    slack: SlackDriver, emulator: SlackEmulator, db: Database, clock: FakeClock
) -> None:
    submit(slack, open_modal(slack), answers({}, wellbeing_note=NOTE, wellbeing_note_private=["yes"]))

    [notes] = wait_until(lambda: emulator.messages_to(BEN), what="the notes DM")
    seen = block_text(notes["blocks"])
    assert NOTE not in seen and "*Wellbeing:* 4 · Good" in seen  # the score is still theirs to see
    with db.unit_of_work() as session:
        meeting = session.scalars(select(Meeting)).one()
        assert (meeting.wellbeing_note, meeting.wellbeing_note_private) == (NOTE, True)
    # The mentee's own data export stays complete (UK GDPR), and says the note was kept private.
    exported = json.loads(privacy.to_json(privacy.export_person(db, TEAM, BEN, clock.now)))
    assert NOTE in json.dumps(exported) and '"wellbeing_note_private": true' in json.dumps(exported)

    # The mentor's correction keeps it private; changing only the private note doesn't bother the mentee.
    correct = wait_until(
        lambda: [m for m in emulator.messages_to(AMY) if "saved" in m["text"]], what="the confirmation"
    )[0]
    before = len(emulator.calls_to("views.open"))
    slack.click(meeting_ids.CORRECT, user=AMY, value=str(meeting.id), message=correct, channel=correct["channel"])
    wait_until(lambda: len(emulator.calls_to("views.open")) > before, what="the correction modal")
    view = emulator.open_views()[-1]
    assert _inputs(view)["wellbeing_note_private"]["element"]["initial_options"]
    dms_to_ben = len(emulator.messages_to(BEN))
    submit(slack, view, answers(view, wellbeing_note=NOTE + " Better now.", wellbeing_note_private=["yes"]))
    wait_until(lambda: [m for m in emulator.messages_to(AMY) if "correction is saved" in m["text"]], what="saved")
    assert len(emulator.messages_to(BEN)) == dms_to_ben  # no "corrected" notice about a note they never see
    assert "Better now" not in json.dumps([c.params for c in emulator.calls_to("chat.update")])
