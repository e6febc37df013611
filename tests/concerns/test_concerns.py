"""/concern end to end: raised, told to every lead mentor and SLT member by DM (never a channel), on their Homes and
in the lead digest, seen by the mentee only once discussed, a dated trail, resolved; raised from an observation."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

import pytest
from sqlalchemy import select

from bot.digests.service import DigestBuilder, Week
from handlers.concerns import ids
from handlers.digests.blocks import lead_digest, slt_summary
from handlers.observations import ids as observation_ids
from storage.concerns import ConcernCategory, ConcernEntry, ConcernStatus, EntryKind
from storage.db import Database
from tests.home.test_home import open_home, text_of
from tests.support.clock import FakeClock
from tests.support.concerns import SEEN, answers, audit, click, concerns, dms, open_modal, raise_one, submit
from tests.support.driver import SlackDriver, state_for, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.observations import full_answers, open_form
from tests.support.people import ADMIN, AMY, BEN, CAT, LEO, LIA, SAM, SLT_CHANNEL, TEAM, mention
from tests.support.school import add_people, enrol
from tests.support.slack import block_text, reply_to


@pytest.fixture(autouse=True)
def school(slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock) -> None:
    """Amy mentors Ben (a trainee); Leo and Lia are lead mentors, Sam is SLT; Cat is a colleague with no role."""
    add_people(emulator, ADMIN, AMY, BEN, LEO, LIA, SAM, CAT)
    emulator.add_channel(SLT_CHANNEL, "slt", is_member=True)
    enrol(slack, clock, slt=SAM, slt_channel=SLT_CHANNEL, reset=False)
    reply_to(slack, "/mentor", f"role add {mention(LIA)} lead", user=ADMIN)
    emulator.reset()


def test_a_concern_reaches_every_lead_and_slt_member_by_dm_and_never_a_channel(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    view = open_modal(slack)
    assert view["title"]["text"] == "Raise a concern"
    shown = block_text(view["blocks"])
    assert "A concern about *Ben Trainee*" in shown and "Discussed with the mentee on" in shown

    concern = raise_one(slack, db, standards=["8", "P2"], done="Spoke to him informally on Monday.")

    assert (concern.mentee_id, concern.raised_by, concern.category) == (BEN, AMY, ConcernCategory.ATTENDANCE)
    assert (concern.seen_on, concern.what_seen, concern.standards) == (date(2026, 11, 23), SEEN, ["8", "P2"])
    assert concern.status is ConcernStatus.OPEN and concern.discussed_on is None
    for lead in (LEO, LIA, SAM):
        [message] = wait_until(partial(dms, emulator, lead), what=f"the DM to {lead}")
        assert "<@UAMY0001> raised a concern about <@UBEN0001>." in message
        assert "Attendance and punctuality" in message and SEEN in message
        assert "Spoke to him informally on Monday." in message and "Standard 8 and Part Two" in message
    confirmation = wait_until(lambda: dms(emulator, AMY), what="the raiser's confirmation")[0]
    assert "I've told the lead mentors and SLT by DM (3 people)." in confirmation
    posted_to = {c.params.get("channel") for c in emulator.calls_to("chat.postMessage")}
    assert SLT_CHANNEL not in posted_to and all(str(c).startswith("U") for c in posted_to)
    assert not dms(emulator, BEN) and not dms(emulator, CAT)
    assert audit(db, "concern.create") == [(AMY, None)]
    assert sorted(audit(db, "concern.read")) == [(LEO, "dm"), (LIA, "dm"), (SAM, "dm")]


def test_a_double_submission_stores_one_concern_and_sends_one_dm_each(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    view = open_modal(slack)
    state = state_for(view, answers())
    for _ in range(2):
        assert slack.submit(view, state, user=AMY).status == 200
    wait_until(lambda: dms(emulator, AMY), what="the confirmation to AMY")
    assert len(concerns(db)) == 1
    assert [len(dms(emulator, u)) for u in (LEO, LIA, SAM, AMY)] == [1, 1, 1, 1]


def test_a_colleague_with_no_role_is_refused_and_told_who_can(slack: SlackDriver, db: Database) -> None:
    text = reply_to(slack, ids.CONCERN, mention(BEN), user=CAT)
    assert "Sorry, only the person's mentors, lead mentors and SLT can raise a concern about this person." in text
    assert not slack.emulator.calls_to("views.open") and concerns(db) == []


def test_an_empty_what_was_seen_or_a_future_date_is_a_field_error(slack: SlackDriver, db: Database) -> None:
    view = open_modal(slack)
    reply = submit(slack, view, answers(what_seen="  ", seen_on="2026-12-01"))
    assert reply["response_action"] == "errors"
    assert reply["errors"]["what_seen"].startswith("Say what was seen")
    assert reply["errors"]["seen_on"] == "That date is in the future: say when it was seen."
    assert concerns(db) == []


def test_the_mentee_sees_it_only_once_it_is_discussed_with_them(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    concern = raise_one(slack, db)
    assert "Concerns discussed with you" not in text_of(open_home(slack, BEN))
    view, text = click(slack, ids.VIEW_ACTION, concern.id, user=BEN)
    assert view is None and "Sorry, only lead mentors, SLT" in text

    view, _ = click(slack, ids.ADD_ACTION, concern.id, user=LEO)
    assert view is not None and view["callback_id"] == ids.ADD_CALLBACK
    filled = {"happened": "Met Ben with Amy.", "agreed": "Ben arrives by 8:30 daily.", "discussed_on": "2026-11-24"}
    assert submit(slack, view, filled, user=LEO) is None

    [stored] = concerns(db)
    assert stored.discussed_on == date(2026, 11, 24)
    [entry] = stored.entries
    assert (entry.kind, entry.author_id, entry.happened, entry.agreed) == (
        EntryKind.DISCUSSED,
        LEO,
        "Met Ben with Amy.",
        "Ben arrives by 8:30 daily.",
    )
    told = wait_until(lambda: dms(emulator, BEN), what="the mentee's DM")[0]
    assert "After your conversation on 24 November 2026, this concern is recorded." in told and SEEN in told
    assert "Attendance and punctuality" in text_of(open_home(slack, BEN))
    view, text = click(slack, ids.VIEW_ACTION, concern.id, user=BEN)
    assert view is not None and "Met Ben with Amy." in text and "Ben arrives by 8:30 daily." in text
    assert "Add an update" not in text  # the mentee reads; they don't write on the trail
    assert (BEN, None) in audit(db, "concern.read")


def test_a_wellbeing_concern_stays_with_leads_and_slt_unless_shared(slack: SlackDriver, db: Database) -> None:
    private = raise_one(slack, db, user=LEO, category="wellbeing", discussed_on="2026-11-24")
    for user in (AMY, BEN):
        view, text = click(slack, ids.VIEW_ACTION, private.id, user=user)
        assert view is None and "Sorry, only" in text, user
    view, _ = click(slack, ids.VIEW_ACTION, private.id, user=SAM)
    assert view is not None

    shared = raise_one(slack, db, user=LEO, category="wellbeing", discussed_on="2026-11-24", share="shared")
    assert shared.shared
    for user in (AMY, BEN):
        view, text = click(slack, ids.VIEW_ACTION, shared.id, user=user)
        assert view is not None and SEEN in text, user


def test_a_trail_is_kept_and_a_lead_resolves_it_with_a_reason(slack: SlackDriver, db: Database) -> None:
    concern = raise_one(slack, db)
    view, _ = click(slack, ids.ADD_ACTION, concern.id, user=AMY)
    assert view is not None
    assert submit(slack, view, {"happened": "Late once this week, not three times."}, user=AMY) is None

    view, text = click(slack, ids.RESOLVE_ACTION, concern.id, user=AMY)
    assert view is None and "Sorry, only lead mentors and SLT can resolve this concern." in text
    view, _ = click(slack, ids.RESOLVE_ACTION, concern.id, user=LIA)
    assert view is not None
    reply = submit(slack, view, {"outcome": "resolved"}, user=LIA)
    assert reply["errors"] == {"reason": "Give the reason, for the record."}
    assert submit(slack, view, {"outcome": "resolved", "reason": "On time for three weeks."}, user=LIA) is None

    [stored] = concerns(db)
    assert stored.status is ConcernStatus.RESOLVED and stored.what_seen == SEEN  # the first record is unchanged
    assert [(e.kind, e.author_id, e.happened, e.outcome) for e in stored.entries] == [
        (EntryKind.UPDATE, AMY, "Late once this week, not three times.", None),
        (EntryKind.RESOLUTION, LIA, "On time for three weeks.", ConcernStatus.RESOLVED),
    ]
    view, text = click(slack, ids.VIEW_ACTION, concern.id, user=LEO)
    assert view is not None and "Resolved" in text and "On time for three weeks." in text
    buttons = [e["text"]["text"] for b in view["blocks"] for e in b.get("elements", []) if e.get("type") == "button"]
    assert buttons == []
    view, text = click(slack, ids.ADD_ACTION, concern.id, user=LEO)
    assert view is None and "This concern is already resolved." in text


def test_it_shows_on_lead_and_slt_homes_and_in_the_lead_digest_until_resolved(
    slack: SlackDriver, db: Database, deps: Any
) -> None:
    concern = raise_one(slack, db)
    line = "<@UBEN0001>: attendance and punctuality, seen 23 Nov, raised by <@UAMY0001> · 0 updates"
    for user in (LEO, SAM):
        home = text_of(open_home(slack, user))
        assert "Open concerns* (1)" in home and line in home, user
    assert "Open concerns" not in text_of(open_home(slack, AMY))

    school = DigestBuilder(db, deps.calendar).build(TEAM, Week.containing(date(2026, 11, 24)))
    digest = "\n".join(block_text(m.blocks) for m in lead_digest(school).messages)
    assert "*Open concerns* (until resolved)" in digest and line in digest
    summary = block_text(slt_summary(school, None).blocks)
    assert "*Open concerns raised*\n1" in summary
    assert SEEN not in summary and "attendance" not in summary.lower()

    view, _ = click(slack, ids.RESOLVE_ACTION, concern.id, user=LEO)
    assert view is not None
    assert submit(slack, view, {"outcome": "escalated", "reason": "Passed to the provider."}, user=LEO) is None
    assert "Open concerns" not in text_of(open_home(slack, LEO))
    school = DigestBuilder(db, deps.calendar).build(TEAM, Week.containing(date(2026, 11, 24)))
    assert school.open_concerns == [] and school.numbers()["open_concerns"] == 0


def test_a_concern_raised_from_an_observation_carries_its_evidence(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    view = open_form(slack, mention(BEN))
    filled = full_answers(**{"field:on_track": "no", "field:concerns": "Pupils unsafe on the carpet."})
    assert slack.submit(view, state_for(view, filled), user=AMY).status == 200
    alert = wait_until(
        lambda: [c for c in emulator.calls_to("chat.postMessage") if c.params.get("channel") == LEO],
        what="the lead's alert",
    )[0]
    buttons = [e for b in alert.params["blocks"] for e in b.get("elements", []) if e.get("type") == "button"]
    raise_button = next(b for b in buttons if b["text"]["text"] == "Raise as a concern")

    before = len(emulator.calls_to("views.open"))
    slack.click(raise_button["action_id"], user=LEO, value=raise_button["value"])
    wait_until(lambda: len(emulator.calls_to("views.open")) > before, what="the concern modal")
    modal = emulator.open_views()[-1]
    prefilled = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    evidence = prefilled["what_seen"]["initial_value"]
    assert "Pupils unsafe on the carpet." in evidence and "not yet on track" in evidence
    assert "Not demonstrated: " in evidence and "From the observation of 24 November 2026 by <@UAMY0001>" in evidence
    assert prefilled["seen_on"]["initial_date"] == "2026-11-24"
    assert [o["value"] for o in prefilled["standards"]["initial_options"]] == ["3"]

    assert (
        submit(slack, modal, {"category": "teaching", "what_seen": evidence, "seen_on": "2026-11-24"}, user=LEO) is None
    )
    [concern] = concerns(db)
    assert concern.observation_id is not None and concern.raised_by == LEO and "carpet" in concern.what_seen


def test_no_one_outside_the_school_reads_a_concern_and_entries_stay_unique(slack: SlackDriver, db: Database) -> None:
    concern = raise_one(slack, db)
    view, text = click(slack, ids.VIEW_ACTION, concern.id, user=CAT)
    assert view is None and "Sorry, only" in text
    with db.unit_of_work() as session:
        assert session.scalars(select(ConcernEntry)).all() == []


def test_the_observation_itself_offers_raise_as_a_concern_to_a_reader_who_is_not_the_teacher(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    view = open_form(slack, mention(BEN))
    filled = full_answers(**{"field:on_track": "no"})
    assert slack.submit(view, state_for(view, filled), user=AMY).status == 200
    [observation_id] = wait_until(
        lambda: [
            e["value"]
            for c in emulator.calls_to("chat.postMessage")
            if c.params.get("channel") == LEO
            for b in c.params["blocks"]
            for e in b.get("elements", [])
            if e.get("action_id") == observation_ids.VIEW_ACTION
        ],
        what="the lead's alert",
    )

    def shown_to(user: str) -> dict[str, Any]:
        before = len(emulator.calls_to("views.open"))
        assert slack.click(observation_ids.VIEW_ACTION, user=user, value=observation_id).status == 200
        wait_until(lambda: len(emulator.calls_to("views.open")) > before, what="the observation")
        return dict((emulator.calls_to("views.open")[before].response or {})["view"])

    assert "Raise as a concern" not in block_text(shown_to(BEN)["blocks"])
    observation = shown_to(SAM)
    assert "Raise as a concern" in block_text(observation["blocks"])
    pushed = len(emulator.calls_to("views.push"))
    assert slack.click(ids.FROM_OBSERVATION, user=SAM, value=observation_id, view=observation).status == 200
    wait_until(lambda: len(emulator.calls_to("views.push")) > pushed, what="the concern modal, pushed")
    modal = (emulator.calls_to("views.push")[pushed].response or {})["view"]
    assert modal["callback_id"] == ids.RAISE_CALLBACK
    evidence = next(b["element"]["initial_value"] for b in modal["blocks"] if b.get("block_id") == "what_seen")
    assert "The observer judged the teacher not yet on track." in evidence
