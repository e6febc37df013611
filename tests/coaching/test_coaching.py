"""Coaching triplets end to end, through signed requests: the staff list, triplets for 31 people with nobody left
out and no pairing repeated the next term, approval and the group DMs, a booked session, the check back with
takeaways, one nudge to a triplet that didn't meet, and SLT's summary naming no takeaway without consent."""

from __future__ import annotations

import time
from datetime import datetime
from functools import partial
from itertools import combinations
from typing import Any

import pytest

from bot.app.bootstrap import Deps
from bot.digests.service import Week
from handlers.coaching import ids
from handlers.coaching.checkback import send_check_backs
from handlers.digests.blocks import slt_summary
from storage.coaching import StaffAbsence
from storage.db import Database
from tests.home.test_home import text_of
from tests.support.clock import FakeClock
from tests.support.coaching import (
    add_staff_people,
    approved_groups,
    button_value,
    command_reply,
    in_channel,
    mentions,
    press,
    rounds,
    staff_ids,
    triplets,
)
from tests.support.driver import SlackDriver, state_for, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.people import ADMIN, AMY, BEN, LEO, LONDON, SAM, TEAM, mention
from tests.support.replay import at_once
from tests.support.school import add_people, enrol
from tests.support.slack import block_text, reply_to

STAFF = staff_ids(31)


@pytest.fixture(autouse=True)
def school(slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock) -> None:
    """Sam is SLT; 31 teachers are on Slack (none on the staff list yet)."""
    add_people(emulator, ADMIN, AMY, BEN, LEO, SAM)
    add_staff_people(emulator, STAFF)
    enrol(slack, clock, slt=SAM)


def pairs(groups: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for g in groups for p in combinations(g, 2)}


def propose_and_approve(slack: SlackDriver, subject_and_term: str) -> tuple[str, str]:
    proposal = command_reply(slack, "/mentor", f"triplets {subject_and_term}", user=SAM)
    approved = press(slack, ids.APPROVE, button_value(proposal, ids.APPROVE), user=SAM)
    return block_text(proposal["blocks"]), block_text(approved["blocks"])


def test_thirty_one_staff_make_triplets_with_nobody_left_out_and_no_pairing_repeated_next_term(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    assert "Added" in reply_to(slack, "/mentor", f"staff add {mentions(STAFF[:16])} KS1", user=SAM)
    assert "Added" in reply_to(slack, "/mentor", f"staff add {mentions(STAFF[16:])} KS2", user=SAM)

    proposed, approved = propose_and_approve(slack, "maths autumn")

    assert "9 triplets and 2 pairs for 31 people, nobody left out" in proposed
    assert "No pairing from an earlier term is repeated" in proposed
    assert "I've messaged 11 groups of 11" in approved
    autumn = approved_groups(db, "maths", "Autumn 2026")
    assert sorted(u for g in autumn for u in g) == sorted(STAFF)
    assert sorted(len(g) for g in autumn) == [2, 2] + [3] * 9
    opened = [c for c in emulator.calls_to("conversations.open") if c.response and c.response.get("ok")]
    assert sorted(sorted(str(c.params["users"]).split(",")) for c in opened) == sorted(sorted(g) for g in autumn)
    for triplet in triplets(db):
        [intro] = in_channel(emulator, str(triplet.channel_id))
        assert "Maths coaching, Autumn 2026" in intro and "Book our session" in intro
        assert all(f"<@{u}>" in intro for u in triplet.user_ids) and "until" not in intro.split("When:")[0]
        assert "any time from 2 September to 18 December 2026" in intro

    proposed, _ = propose_and_approve(slack, "maths spring")

    assert "No pairing from an earlier term is repeated" in proposed
    spring = approved_groups(db, "maths", "Spring 2027")
    assert sorted(u for g in spring for u in g) == sorted(STAFF)
    assert pairs(autumn) & pairs(spring) == set()


def test_regenerate_and_swap_change_the_proposal_and_an_old_approve_is_refused(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    reply_to(slack, "/mentor", f"staff add {mentions(STAFF[:9])}", user=SAM)
    proposal = command_reply(slack, "/mentor", "triplets reading", user=SAM)
    old_value = button_value(proposal, ids.APPROVE)

    regenerated = press(slack, ids.REGENERATE, old_value, user=SAM)
    assert regenerated["replace_original"] is True and "3 triplets for 9 people" in block_text(regenerated["blocks"])

    opened = len(emulator.calls_to("views.open"))
    slack.click(ids.SWAP, user=SAM, value=button_value(regenerated, ids.APPROVE), channel="C0GENERAL")
    wait_until(lambda: len(emulator.calls_to("views.open")) > opened, what="the swap modal")
    view = emulator.open_views()[-1]
    [before] = rounds(db)
    first, second = before.triplets[0].user_ids[0], before.triplets[1].user_ids[0]
    replies = len(emulator.responses)
    result = slack.submit(view, state_for(view, {ids.FIRST: first, ids.SECOND: second}), user=SAM)
    assert result.status == 200 and not result.body, result.text
    swapped = wait_until(lambda: emulator.responses[replies:], what="the updated proposal")[0]
    text = block_text(swapped["blocks"])
    lines = [line for line in text.splitlines() if f"<@{first}>" in line]
    assert len(lines) == 1 and f"<@{second}>" not in lines[0] and "Teacher" not in text

    stale = press(slack, ids.APPROVE, old_value, user=SAM)
    assert "This proposal has changed since you saw it" in stale["text"]
    approved = press(slack, ids.APPROVE, button_value(swapped, ids.APPROVE), user=SAM)
    assert "approved" in approved["text"]
    twice = press(slack, ids.APPROVE, button_value(swapped, ids.APPROVE), user=SAM)  # a double click
    assert "approved" in twice["text"]
    assert len(emulator.calls_to("conversations.open")) == 3


def test_only_slt_and_admins_keep_the_staff_list_and_arrange_triplets(slack: SlackDriver) -> None:
    text = reply_to(slack, "/mentor", f"staff add {mention(STAFF[0])}", user=AMY)
    assert "Sorry, only SLT and the bot's admins can change the coaching staff list." in text
    text = reply_to(slack, "/mentor", "triplets maths", user=LEO)
    assert "Sorry, only SLT and the bot's admins can propose and approve coaching triplets." in text
    text = reply_to(slack, "/mentor", "triplets", user=SAM)
    assert "Name the subject" in text and "/mentor triplets <subject" in text
    text = reply_to(slack, "/mentor", "triplets maths", user=SAM)
    assert "at least two people on the staff list" in text


def test_someone_away_for_a_term_is_left_out_of_that_terms_triplets(slack: SlackDriver, db: Database) -> None:
    reply_to(slack, "/mentor", f"staff add {mentions(STAFF[:7])}", user=SAM)
    text = reply_to(slack, "/mentor", f"staff away {mention(STAFF[0])} spring", user=SAM)
    assert "is away for Spring 2027" in text
    proposed, _ = propose_and_approve(slack, "writing spring")
    assert "2 triplets for 6 people" in proposed and "Away this term" in proposed
    spring = approved_groups(db, "writing", "Spring 2027")
    assert STAFF[0] not in {u for g in spring for u in g}
    with db.unit_of_work() as session:
        assert session.query(StaffAbsence).count() == 1
    listing = reply_to(slack, "/mentor", "staff", user=SAM)
    assert "Staff list (7)" in listing


def posted(emulator: SlackEmulator, channel: str, text: str) -> list[str]:
    return [m for m in in_channel(emulator, channel) if text in m]


def _open_modal(slack: SlackDriver, emulator: SlackEmulator, action_id: str, value: int, user: str) -> dict[str, Any]:
    opened = len(emulator.calls_to("views.open"))
    result = slack.click(action_id, user=user, value=str(value))
    assert result.status == 200, result.text
    wait_until(lambda: len(emulator.calls_to("views.open")) > opened, what=f"the modal for {action_id}")
    return dict((emulator.calls_to("views.open")[opened].response or {})["view"])


def test_a_booked_session_the_check_back_takeaways_and_one_nudge(
    slack: SlackDriver, db: Database, emulator: SlackEmulator, clock: FakeClock, deps: Deps
) -> None:
    reply_to(slack, "/mentor", f"staff add {mentions(STAFF[:5])}", user=SAM)
    propose_and_approve(slack, "maths")
    three, two = sorted(triplets(db), key=lambda t: -len(t.user_ids))
    a, b, c = three.user_ids
    channel = str(three.channel_id)

    view = _open_modal(slack, emulator, ids.BOOK_SESSION, three.id, a)
    assert view["callback_id"] == ids.BOOK_CALLBACK
    bad = slack.submit(view, state_for(view, {"session_on": "2027-01-05"}), user=a)
    assert "Pick a day in Autumn 2026" in bad.json["errors"]["session_on"]
    result = slack.submit(view, state_for(view, {"session_on": "2026-11-26"}), user=a)
    assert result.status == 200 and not result.body, result.text
    told = wait_until(lambda: [m for m in in_channel(emulator, channel) if "booked" in m], what="the booking")
    assert f"<@{a}> booked your maths coaching session for *Thursday 26 November*" in told[0]
    home = "Maths triplet, Autumn 2026*: " + ", ".join(f"<@{u}>" for u in three.user_ids[:2])
    booked = "session booked for *Thursday 26 November*"
    slack.open_home(c)
    wait_until(
        lambda: (
            booked in text_of(emulator.published_home(c) or {}) and home in text_of(emulator.published_home(c) or {})
        ),
        what="c's Home",
    )
    refused = _open_modal(slack, emulator, ids.BOOK_SESSION, three.id, two.user_ids[0])
    assert "Sorry, only the people in the triplet can book" in block_text(refused["blocks"])

    client = deps.slack.client
    assert send_check_backs(deps, client, TEAM) == 0  # the session is still ahead
    clock.now = datetime(2026, 11, 27, 9, 0, tzinfo=LONDON)
    assert send_check_backs(deps, client, TEAM) == 1  # the pair booked nothing: asked near the window's end
    assert send_check_backs(deps, client, TEAM) == 0
    assert "did your maths coaching session happen on Thursday 26 November?" in in_channel(emulator, channel)[-1]

    for user in (b, c):  # both press Yes: the group is told once
        assert slack.click(ids.MET, user=user, value=str(three.id)).status == 200
    wait_until(lambda: [m for m in in_channel(emulator, channel) if "says you met" in m], what="the met answer")
    for user, text, share in ((a, "Stem sentences for every answer.", ["share"]), (b, "Mini whiteboards, all.", [])):
        view = _open_modal(slack, emulator, ids.ADD_TAKEAWAY, three.id, user)
        assert "Strategies, techniques or ideas to try in your own lessons" in block_text(view["blocks"])
        result = slack.submit(view, state_for(view, {"takeaway": text, "share": share}), user=user)
        assert result.status == 200 and not result.body, result.text
        wait_until(partial(posted, emulator, channel, text), what="the takeaway")
    assert len([m for m in in_channel(emulator, channel) if "says you met" in m]) == 1
    assert not any("rating" in m.lower() and "never" not in m.lower() for m in in_channel(emulator, channel))

    pair_channel = str(two.channel_id)
    clock.now = datetime(2026, 12, 7, 9, 0, tzinfo=LONDON)
    assert send_check_backs(deps, client, TEAM) == 1
    assert "did your maths coaching session happen this term?" in in_channel(emulator, pair_channel)[-1]
    assert slack.click(ids.NOT_MET, user=two.user_ids[0], value=str(two.id)).status == 200
    wait_until(lambda: "haven't met yet" in in_channel(emulator, pair_channel)[-1], what="the not yet answer")

    clock.now = datetime(2026, 12, 14, 9, 0, tzinfo=LONDON)
    assert send_check_backs(deps, client, TEAM) == 1
    assert "This is the only reminder" in in_channel(emulator, pair_channel)[-1]
    clock.now = datetime(2026, 12, 16, 9, 0, tzinfo=LONDON)
    assert send_check_backs(deps, client, TEAM) == 0
    assert len([m for m in in_channel(emulator, pair_channel) if "only reminder" in m]) == 1
    assert not any("only reminder" in m for m in in_channel(emulator, channel))  # the triplet that met

    school = deps.digests.add_coaching(deps.digests.build(TEAM, Week.containing(clock.now.date())))
    summary = block_text(slt_summary(school, None).blocks)
    assert "Coaching triplets, Autumn 2026" in summary and "Maths: 1 of 2 met · 1 not yet" in summary
    assert f"Stem sentences for every answer. _(triplet takeaway, <@{a}>)_" in summary
    assert "Mini whiteboards" not in summary and f"<@{b}>" not in summary
    assert "1 more takeaway written in triplets and kept there" in summary


def test_two_members_pressing_yes_at_once_tell_the_group_once(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    reply_to(slack, "/mentor", f"staff add {mentions(STAFF[:3])}", user=SAM)
    propose_and_approve(slack, "writing")
    [triplet] = triplets(db)
    a, b, _ = triplet.user_ids

    results = at_once(
        lambda: slack.click(ids.MET, user=a, value=str(triplet.id)),
        lambda: slack.click(ids.MET, user=b, value=str(triplet.id)),
    )

    assert all(r.status == 200 for r in results)
    wait_until(lambda: posted(emulator, str(triplet.channel_id), "says you met"), what="the met answer")
    time.sleep(0.3)  # give a second message every chance to arrive
    assert len(posted(emulator, str(triplet.channel_id), "says you met")) == 1
