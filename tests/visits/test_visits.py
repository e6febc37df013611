"""Peer visits and learning walks end to end, through signed requests: a visit logged (never rated), the visited
colleague told and replying, visits counted towards "visited at least twice a half term" (their Home and SLT's
coverage); a learning walk thanking each named colleague, no next steps."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app.bootstrap import Deps
from bot.digests.service import Week
from handlers.digests.blocks import slt_summary
from handlers.visits import ids
from storage.db import Database
from storage.visits import PeerVisit
from tests.home.test_home import text_of
from tests.support.clock import FakeClock
from tests.support.coaching import add_staff_people, dms, mentions, staff_ids
from tests.support.driver import SlackDriver, state_for, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.people import ADMIN, AMY, BEN, CAT, LEO, SAM, TEAM, mention
from tests.support.school import add_people, enrol
from tests.support.slack import block_text, reply_to

STAFF = staff_ids(4, prefix="UVIS")


@pytest.fixture(autouse=True)
def school(slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock) -> None:
    add_people(emulator, ADMIN, AMY, BEN, LEO, SAM, CAT)
    add_staff_people(emulator, STAFF)
    enrol(slack, clock, slt=SAM, reset=False)
    reply_to(slack, "/mentor", f"staff add {mentions(STAFF)}", user=SAM)
    emulator.reset()


def open_command_modal(slack: SlackDriver, text: str, user: str) -> dict[str, Any]:
    emulator = slack.emulator
    before = len(emulator.calls_to("views.open"))
    result = slack.command(ids.VISIT, text, user=user)
    assert result.status == 200 and not result.body, result.text
    wait_until(lambda: len(emulator.calls_to("views.open")) > before, what="the modal")
    return emulator.open_views()[-1]


def visit(slack: SlackDriver, visitor: str, visited: str, noticed: str, on: str = "2026-11-23") -> None:
    view = open_command_modal(slack, mention(visited), visitor)
    assert view["callback_id"] == ids.VISIT_CALLBACK and "There is no rating" in block_text(view["blocks"])
    answers = {"visited_on": on, "focus": "Questioning", "noticed": noticed, "will_try": "Cold calling."}
    state = state_for(view, answers)
    for _ in range(2):  # a double click on Save logs it once
        result = slack.submit(view, state, user=visitor)
        assert result.status == 200 and not result.body, result.text
    wait_until(lambda: dms(slack.emulator, visitor), what="the visitor's confirmation")


def visits(db: Database) -> list[PeerVisit]:
    with db.unit_of_work() as session:
        return list(session.query(PeerVisit).order_by(PeerVisit.id))


def test_a_peer_visit_is_logged_told_replied_to_and_counted(
    slack: SlackDriver, db: Database, emulator: SlackEmulator, deps: Deps
) -> None:
    teacher = STAFF[0]
    visit(slack, STAFF[1], teacher, "Every pupil answered on whiteboards.")

    [stored] = visits(db)
    assert (stored.visitor_id, stored.visited_id, stored.noticed) == (
        STAFF[1],
        teacher,
        "Every pupil answered on whiteboards.",
    )
    [told] = dms(emulator, teacher)
    assert f"<@{STAFF[1]}> visited your classroom on Monday 23 November" in told and "never a rating" in told
    assert "Every pupil answered on whiteboards." in told and "Cold calling." in told
    assert "1 visit this half term (1 of 2 visits this half term)" in dms(emulator, STAFF[1])[0]

    before = len(emulator.calls_to("views.open"))
    slack.click(ids.REPLY, user=teacher, value=str(stored.id))
    wait_until(lambda: len(emulator.calls_to("views.open")) > before, what="the reply modal")
    view = emulator.open_views()[-1]
    assert slack.submit(view, state_for(view, {"reply": "Thank you, that helped!"}), user=teacher).status == 200
    reply = wait_until(lambda: [m for m in dms(emulator, STAFF[1]) if "replied" in m], what="the reply")
    assert "Thank you, that helped!" in reply[0]

    other = len(emulator.calls_to("views.open"))
    slack.click(ids.REPLY, user=STAFF[2], value=str(stored.id))  # not theirs to reply to
    wait_until(lambda: len(emulator.calls_to("views.open")) > other, what="the refusal")
    assert "Sorry, only the colleague visited can reply to this peer visit." in block_text(
        emulator.open_views()[-1]["blocks"]
    )

    visit(slack, STAFF[2], teacher, "Lovely reading corner.")
    assert "visited at least twice this half term" in dms(emulator, STAFF[2])[-1]
    slack.open_home(teacher)
    counted = "Peer visits this half term:* 2 visits to your classroom"
    wait_until(lambda: counted in text_of(emulator.published_home(teacher) or {}), what="the teacher's Home")

    school = deps.digests.add_coaching(deps.digests.build(TEAM, Week.containing(deps.now().date())))
    summary = block_text(slt_summary(school, None).blocks)
    assert "Peer visits this half term*\n25% of staff visited twice (1 of 4)" in summary
    assert "whiteboards" not in summary and "reading corner" not in summary  # visits stay with the two of them


def test_nobody_visits_themselves_and_a_future_date_is_a_field_error(slack: SlackDriver, db: Database) -> None:
    text = reply_to(slack, ids.VISIT, mention(STAFF[0]), user=STAFF[0])
    assert "name someone else" in text
    view = open_command_modal(slack, mention(STAFF[1]), STAFF[0])
    result = slack.submit(view, state_for(view, {"visited_on": "2026-12-01", "noticed": " "}), user=STAFF[0])
    errors = result.json["errors"]
    assert errors["visited_on"].startswith("That date is in the future") and errors["noticed"].startswith("Say what")
    assert visits(db) == []


def test_a_learning_walk_thanks_each_named_colleague_with_no_next_steps(
    slack: SlackDriver, emulator: SlackEmulator, deps: Deps
) -> None:
    view = open_command_modal(slack, "walk", SAM)
    assert view["callback_id"] == ids.WALK_CALLBACK
    answers = {
        "walked_on": "2026-11-24",
        "classrooms": "Y3, Y4, Y5",
        "good_practice": "Stem sentences displayed and used by pupils.",
        "thank": [STAFF[0], STAFF[3]],
        "share": [],
    }
    state = state_for(view, answers)
    for _ in range(2):  # Slack's retry thanks nobody twice
        assert slack.submit(view, state, user=SAM).status == 200
    for thanked in (STAFF[0], STAFF[3]):
        [message] = wait_until(lambda t=thanked: dms(emulator, t), what="the well done")  # type: ignore[misc]
        assert "Well done!" in message and f"<@{SAM}> saw good practice" in message
        assert "Stem sentences displayed" in message and "there are no next steps" in message
    assert not dms(emulator, STAFF[1])
    assert "I've sent a well done to 2 colleagues" in wait_until(lambda: dms(emulator, SAM), what="confirmation")[0]

    school = deps.digests.add_coaching(deps.digests.build(TEAM, Week.containing(deps.now().date())))
    summary = block_text(slt_summary(school, None).blocks)
    assert "Stem sentences displayed and used by pupils. _(learning walk)_" in summary  # not named: not shared
    assert f"<@{SAM}>" not in summary.split("Good practice seen")[1]


def test_only_slt_record_learning_walks(slack: SlackDriver, emulator: SlackEmulator) -> None:
    text = reply_to(slack, ids.VISIT, "walk", user=AMY)
    assert "Sorry, only SLT can record a learning walk." in text
    slack.open_home(SAM)
    home = wait_until(lambda: emulator.published_home(SAM), what="SLT's Home") or {}
    assert "Record a learning walk" in text_of(home) and "Propose triplets" in text_of(home)
    before = len(emulator.calls_to("views.open"))
    slack.click(ids.RECORD_WALK, user=SAM, value="walk", view={"id": "VHOME0001", "type": "home", "blocks": []})
    wait_until(lambda: len(emulator.calls_to("views.open")) > before, what="the walk modal from the Home tab")
    assert emulator.open_views()[-1]["callback_id"] == ids.WALK_CALLBACK
    slack.open_home(CAT)
    cat_home = wait_until(lambda: emulator.published_home(CAT), what="Cat's Home") or {}
    assert "Record a learning walk" not in text_of(cat_home)
