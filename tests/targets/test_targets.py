"""/target end to end: plain-words dates confirmed or changed, checks, the mentee's Ready button, closing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from handlers.targets import ids as target_ids
from storage.db import Database
from storage.targets import Target, TargetDraft, TargetStatus
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.people import ADMIN, AMY, BEN, CAT, DEV, LEO, LONDON
from tests.support.school import add_people, enrol
from tests.support.slack import block_text, mention

TARGET = "/target"


@pytest.fixture(autouse=True)
def school(slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock) -> None:
    """Amy mentors Ben (a trainee) and Dev since 2 November; Leo is lead mentor; Cat is a colleague."""
    add_people(emulator, ADMIN, AMY, BEN, LEO, CAT, DEV)
    enrol(slack, clock, mentees={BEN: "trainee", DEV: "ect"}, lead=LEO)


def ask(slack: SlackDriver, text: str, *, user: str = AMY) -> dict[str, Any]:
    """Run /target and return the reply the user sees (text, blocks and the response_url key)."""
    before = len(slack.emulator.responses)
    result = slack.command(TARGET, text, user=user)
    assert result.status == 200, result.text
    if result.body:
        body = result.json
        assert body["response_type"] == "ephemeral"
        return {"text": body["text"], "blocks": body.get("blocks", [])}
    reply = wait_until(lambda: slack.emulator.responses[before:], what="the /target reply")[0]
    assert reply["response_type"] == "ephemeral"
    return dict(reply)


def seen(reply: dict[str, Any]) -> str:
    return str(reply["text"]) + "\n" + block_text(reply.get("blocks", []))


def element(message: dict[str, Any], action_id: str) -> tuple[dict[str, Any], str]:
    for block in message.get("blocks", []):
        for el in [*block.get("elements", []), block.get("accessory") or {}]:
            if isinstance(el, dict) and el.get("action_id") == action_id:
                return dict(el), str(block.get("block_id", ""))
    raise AssertionError(f"no {action_id} in {block_text(message.get('blocks', []))}")


def act(
    slack: SlackDriver,
    message: dict[str, Any],
    action_id: str,
    *,
    user: str = AMY,
    extra: dict[str, Any] | None = None,
    channel: str | None = None,
) -> dict[str, Any] | None:
    """Use a button, datepicker or menu on a message; returns the bot's reply through response_url, if any."""
    el, block_id = element(message, action_id)
    before = len(slack.emulator.responses)
    updates = len(slack.emulator.calls_to("chat.update"))
    result = slack.click(
        action_id,
        user=user,
        value=el.get("value"),
        block_id=block_id,
        message=message if "ts" in message else None,
        channel=channel,
        extra_action={"type": el["type"], **(extra or {})},
    )
    assert result.status == 200, result.text
    wait_until(
        lambda: len(slack.emulator.responses) > before or len(slack.emulator.calls_to("chat.update")) > updates,
        what=f"the bot to answer {action_id}",
    )
    return slack.emulator.responses[before] if len(slack.emulator.responses) > before else None


def targets(db: Database) -> list[Target]:
    with db.unit_of_work() as session:
        return list(session.scalars(select(Target).order_by(Target.id)))


def dm(emulator: SlackEmulator, user: str) -> dict[str, Any]:
    """The latest DM the bot sent someone, as it now stands (with channel and ts, for its buttons)."""
    wait_until(lambda: emulator.messages_to(user), what=f"a DM to {user}")
    call = [c for c in emulator.calls_to("chat.postMessage") if c.params.get("channel") == user][-1]
    assert call.response is not None
    channel, ts = call.response["channel"], call.response["ts"]
    current = next(m for m in emulator.history(channel) if m["ts"] == ts)
    return {**current, "channel": channel}


def test_a_target_in_plain_words_shows_the_date_understood_and_is_saved_on_confirm(
    slack: SlackDriver, db: Database, emulator: SlackEmulator, clock: FakeClock
) -> None:
    reply = ask(slack, f"{mention(BEN, 'ben')} Use cold calling in every lesson by Monday week")

    text = seen(reply)
    assert "Due Monday 7 December 2026" in text and "from “by Monday week”" in text
    assert "Use cold calling in every lesson" in text
    confirm, _ = element(reply, target_ids.DRAFT_CONFIRM)
    assert confirm["text"]["text"] == "Confirm"
    picker, _ = element(reply, target_ids.DRAFT_DUE)
    assert picker["initial_date"] == "2026-12-07" and picker["placeholder"]["text"] == "Change date"
    standards, _ = element(reply, target_ids.DRAFT_STANDARDS)
    assert [o["value"] for o in standards["initial_options"]] == ["6"]  # cold calling: assessment
    assert targets(db) == []  # nothing is set until the mentor confirms

    saved = act(slack, reply, target_ids.DRAFT_CONFIRM)

    assert saved is not None and saved["replace_original"] is True
    assert "Target saved for" in seen(saved) and "Monday 7 December 2026" in seen(saved)
    [target] = targets(db)
    assert (target.mentee_id, target.set_by, target.text) == (BEN, AMY, "Use cold calling in every lesson")
    assert (target.due_on, target.due_phrase, target.standards) == (date(2026, 12, 7), "by Monday week", ["6"])
    assert target.status is TargetStatus.OPEN and target.created_at == clock.now
    note = dm(emulator, BEN)
    assert "set you a new target" in block_text(note["blocks"]) and "Monday 7 December 2026" in block_text(
        note["blocks"]
    )
    element(note, target_ids.TARGET_READY)

    # A double-click (or Slack's retry of the click) saves nothing twice and DMs nobody twice.
    act(slack, reply, target_ids.DRAFT_CONFIRM)
    assert len(targets(db)) == 1
    assert len(emulator.messages_to(BEN)) == 1


def test_change_date_with_the_datepicker_and_the_standards_then_confirm(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    reply = ask(slack, f"{mention(BEN)} Narrate the positive before half term")
    assert "Due Friday 12 February 2027" in seen(reply)

    changed = act(slack, reply, target_ids.DRAFT_DUE, extra={"selected_date": "2026-12-11"})
    assert changed is not None and changed["replace_original"] is True
    assert "Due Friday 11 December 2026" in seen(changed)
    picker, _ = element(changed, target_ids.DRAFT_DUE)
    assert picker["initial_date"] == "2026-12-11"

    options = [{"text": {"type": "plain_text", "text": "7"}, "value": "7"}, {"value": "1", "text": {}}]
    changed = act(slack, changed, target_ids.DRAFT_STANDARDS, extra={"selected_options": options})
    assert changed is not None
    standards, _ = element(changed, target_ids.DRAFT_STANDARDS)
    assert [o["value"] for o in standards["initial_options"]] == ["1", "7"]

    act(slack, changed, target_ids.DRAFT_CONFIRM)
    [target] = targets(db)
    assert (target.due_on, target.due_phrase, target.standards) == (date(2026, 12, 11), None, ["1", "7"])


def test_a_date_picked_in_the_past_is_refused_and_the_old_date_kept(slack: SlackDriver, db: Database) -> None:
    reply = ask(slack, f"{mention(BEN)} Use a seating plan with 9X2 by Friday")

    changed = act(slack, reply, target_ids.DRAFT_DUE, extra={"selected_date": "2026-11-20"})

    assert changed is not None
    assert "Friday 20 November 2026 is in the past" in seen(changed)
    assert "Due Friday 27 November 2026" in seen(changed)
    with db.unit_of_work() as session:
        assert session.scalars(select(TargetDraft.due_on)).one() == date(2026, 11, 27)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Use cold calling by Friday", "Start with the mentee, mentioned with @"),
        ("@ben Use cold calling by Friday", "Start with the mentee"),
        (f"{mention(BEN)}", f"Say what the target is after <@{BEN}>"),
        (f"{mention(BEN)} by Friday", "Say what the target is, not only when"),
        (f"{mention(BEN)} Use cold calling by blursday", "I couldn't understand “by blursday” as a date"),
        (f"{mention(BEN)} Use cold calling by 1 Sep 2026", "is in the past"),
        (f"{mention(BEN)} " + "Use cold calling. " * 200, "keep it under 3000"),
    ],
)
def test_bad_input_gets_a_clear_reply_with_what_was_typed(
    slack: SlackDriver, db: Database, text: str, expected: str
) -> None:
    reply = ask(slack, text)

    assert expected in seen(reply)
    assert "You typed:" in seen(reply) and text.split()[-1] in seen(reply)
    assert targets(db) == []


def test_a_mentee_you_do_not_mentor_is_refused_politely(slack: SlackDriver, db: Database) -> None:
    reply = ask(slack, f"{mention(BEN)} Use cold calling by Friday", user=CAT)

    assert f"You don't mentor <@{BEN}>" in seen(reply) and f"<@{AMY}>" in seen(reply)
    assert targets(db) == []


def test_a_lead_mentor_can_set_a_target_too(slack: SlackDriver, db: Database) -> None:
    reply = ask(slack, f"{mention(BEN)} Use a visualiser to model answers by the end of term", user=LEO)
    assert "Due Friday 18 December 2026" in seen(reply)

    act(slack, reply, target_ids.DRAFT_CONFIRM, user=LEO)

    [target] = targets(db)
    assert target.set_by == LEO and target.due_on == date(2026, 12, 18)


def test_school_words_stay_in_the_target_and_the_date_is_suggested(slack: SlackDriver, db: Database) -> None:
    reply = ask(slack, f"{mention(BEN)} Teach Year 10 set 2 using phase 3 phonics for 10 minutes")

    text = seen(reply)
    assert "Teach Year 10 set 2 using phase 3 phonics for 10 minutes" in text
    assert "*Due Tuesday 1 December 2026* (suggested: no date was given)" in text
    assert "*Dated?*" in text and "No date was given, so I suggested Tuesday 1 December 2026" in text


def test_the_checks_explain_what_a_good_target_needs_but_it_can_still_be_saved(
    slack: SlackDriver, db: Database
) -> None:
    vague = ask(slack, f"{mention(BEN)} Improve behaviour by Friday")
    assert "*Specific?*" in seen(vague) and "rather than an aim like “improve behaviour”" in seen(vague)
    assert ":white_check_mark: Linked to a standard" in seen(vague)  # behaviour: Standard 7
    act(slack, vague, target_ids.DRAFT_CONFIRM)

    for what in ("Use a countdown at every transition", "Praise three pupils by name each lesson"):
        act(slack, ask(slack, f"{mention(BEN)} {what} by Friday"), target_ids.DRAFT_CONFIRM)
    fourth = ask(slack, f"{mention(BEN)} Plan a retrieval starter for Year 8 by Friday")

    assert "*At most three new this week?*" in seen(fourth) and "new target number 4 this week" in seen(fourth)
    act(slack, fourth, target_ids.DRAFT_CONFIRM)
    assert len(targets(db)) == 4


def test_no_standard_found_asks_for_one(slack: SlackDriver) -> None:
    reply = ask(slack, f"{mention(BEN)} Email the parents of 8C about the trip by Friday")

    assert "*Linked to a standard?*" in seen(reply)
    standards, _ = element(reply, target_ids.DRAFT_STANDARDS)
    assert "initial_options" not in standards


def test_the_date_is_read_in_the_mentors_own_time_zone(
    slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock
) -> None:
    emulator.add_user(AMY, "amy", real_name="Amy Mentor", tz="Asia/Tokyo")
    clock.now = datetime(2026, 11, 29, 23, 30, tzinfo=LONDON)  # Sunday night in London, Monday morning in Tokyo

    reply = ask(slack, f"{mention(BEN)} Share your seating plan tomorrow")

    assert "Due Tuesday 1 December 2026" in seen(reply)


def test_the_mentee_marks_it_ready_and_the_mentor_closes_it_from_the_dm(
    slack: SlackDriver, db: Database, emulator: SlackEmulator, clock: FakeClock
) -> None:
    act(slack, ask(slack, f"{mention(BEN)} Use cold calling in every lesson by Friday"), target_ids.DRAFT_CONFIRM)
    note = dm(emulator, BEN)

    act(slack, note, target_ids.TARGET_READY, user=BEN, channel=note["channel"])

    [target] = targets(db)
    assert target.ready_for_review_at == clock.now
    assert "You marked it ready for review" in block_text(emulator.history(BEN)[-1]["blocks"])
    notice = dm(emulator, AMY)
    assert "says this target is ready for review" in block_text(notice["blocks"])

    clock.now += timedelta(hours=2)
    act(slack, notice, target_ids.TARGET_MET, channel=notice["channel"])

    [target] = targets(db)
    assert (target.status, target.closed_by, target.closed_at) == (TargetStatus.MET, AMY, clock.now)
    assert "Marked *met* by" in block_text(emulator.history(AMY)[-1]["blocks"])
    wait_until(
        lambda: [m for m in emulator.messages_to(BEN) if "marked your target *met*" in m["text"]],
        what="the mentee told",
    )


def test_the_mentee_cannot_close_their_own_target(slack: SlackDriver, db: Database, emulator: SlackEmulator) -> None:
    act(slack, ask(slack, f"{mention(BEN)} Use cold calling in every lesson by Friday"), target_ids.DRAFT_CONFIRM)
    [target] = targets(db)
    met = {
        "type": "button",
        "action_id": target_ids.TARGET_MET,
        "value": str(target.id),
        "text": {"type": "plain_text"},
    }
    message = {"ts": "1.0", "blocks": [{"type": "actions", "block_id": f"target:{target.id}", "elements": [met]}]}

    reply = act(slack, message, target_ids.TARGET_MET, user=BEN)

    assert reply is not None and "only the mentee's mentors and lead mentors" in reply["text"]
    assert targets(db)[0].status is TargetStatus.OPEN


def test_target_list_shows_open_targets_with_overdue_ones_marked(
    slack: SlackDriver, clock: FakeClock, emulator: SlackEmulator
) -> None:
    act(slack, ask(slack, f"{mention(BEN)} Use cold calling in every lesson by Wednesday"), target_ids.DRAFT_CONFIRM)
    act(slack, ask(slack, f"{mention(BEN)} Use a seating plan with 9X2 by the end of term"), target_ids.DRAFT_CONFIRM)
    clock.now += timedelta(days=3)  # Friday: Wednesday's target is overdue

    listing = ask(slack, f"list {mention(BEN)}")

    text = seen(listing)
    assert "Open targets for Ben Trainee" in text
    assert "Use cold calling in every lesson — due Wed 25 Nov · *overdue* · Standard 6" in text
    assert "Use a seating plan with 9X2 — due Fri 18 Dec · Standard 7" in text
    element(listing, target_ids.TARGET_MET)
    mine = ask(slack, "list", user=BEN)
    assert "Open targets for Ben Trainee" in seen(mine)
    element(mine, target_ids.TARGET_READY)
    assert "only" in seen(ask(slack, f"list {mention(BEN)}", user=CAT))
