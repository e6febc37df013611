"""Weekly digests: the right numbers, within Slack's limits, delivered exactly once whatever happens."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.app.bootstrap import Deps
from bot.app.digests import digest_due, digest_run
from bot.app.slack_client import make_web_client
from bot.digests.service import Week
from handlers.digests import ids as digest_ids
from handlers.digests.blocks import lead_digest, slt_summary
from handlers.slack.plain import blocks_as_text
from storage.db import Database
from storage.digests import DeliveryKind, DeliveryStatus, DigestDelivery
from storage.roster import Mentorship, Role, RoleGrant, Workspace
from tests.support.digests import FRIDAY_AFTERNOON, WEEK, add_cohort, meeting_row, seed_digest_school
from tests.support.driver import wait_until
from tests.support.emulator import SlackEmulator
from tests.support.people import ADMIN, AMY, BEN, CAL, EVA, LEO, LONDON, SAM, SLT_CHANNEL, TEAM
from tests.support.seeding import TEAM as BENCH_TEAM
from tests.support.seeding import count_queries, seed_term
from tests.support.slack import block_text


@pytest.fixture
def school(db: Database, emulator: SlackEmulator) -> None:
    """Amy mentors Ben (doing well) and Cal (struggling, quiet); Dee mentors Eva. Leo leads, Sam is SLT."""
    seed_digest_school(db, emulator)


def test_the_week_is_read_right(deps: Deps, school: None) -> None:
    week = deps.digests.build(TEAM, WEEK)
    by_id = {m.mentee_id: m for m in week.mentees}

    ben, cal, eva = by_id[BEN], by_id[CAL], by_id[EVA]
    assert (ben.meetings_this_week, ben.last_meeting, ben.on_cadence) == (1, date(2026, 11, 24), True)
    assert (ben.observations_this_half, ben.improved, ben.declined, ben.reflections_owed) == (2, 1, 0, 1)
    assert (ben.targets_set, ben.targets_met, ben.targets_overdue, ben.targets_rolled_over) == (1, 1, 1, 0)
    assert (cal.on_cadence, cal.not_on_track, cal.concern_this_half, cal.targets_rolled_over) == (False, True, True, 1)
    assert cal.flags == ["not on track", "concern", "1 target rolled over twice"]
    assert eva.on_cadence is True and eva.needs_attention is False  # fortnightly; met on the 20th
    assert [m.mentee_id for m in week.by_need] == [CAL, BEN, EVA]
    assert week.quiet_mentors == {AMY: [CAL]}
    assert week.rating_distribution["standard_3"] == {"na": 0, "not": 0, "partly": 1, "fully": 1}
    assert (week.lead_ids, week.slt_ids, week.slt_channel_id) == ([LEO], [SAM], SLT_CHANNEL)


def test_the_number_of_queries_does_not_grow_with_the_cohort(deps: Deps, db: Database, school: None) -> None:
    builder = deps.digests
    with count_queries(db) as small:
        builder.build(TEAM, WEEK)
    add_cohort(db, 300)
    with count_queries(db) as large:
        week = builder.build(TEAM, WEEK)
    assert len(week.mentees) == 303
    assert len(large) == len(small) <= 10


def test_the_benchmarks_school_gets_a_digest_for_every_mentee_in_the_same_few_queries(deps: Deps, db: Database) -> None:
    seed_term(db, 30)  # what bench/digest.py measures, small

    with count_queries(db) as queries:
        week = deps.digests.build(BENCH_TEAM, Week(2026, 50))

    assert len(week.mentees) == 30 and len(queries) <= 10
    assert lead_digest(week).messages


def test_the_lead_mentors_digest_puts_those_who_need_them_first(deps: Deps, school: None) -> None:
    digest = lead_digest(deps.digests.build(TEAM, WEEK))

    [message] = digest.messages
    text = block_text(message.blocks)
    assert "3 mentees* · :large_green_circle: 1 on track · :warning: 2 need you · :hourglass: 1 mentor" in text
    needs_you = text[text.index("*Needs you*") : text.index("*Mentors with missing logs*")]
    assert needs_you.index(f"<@{CAL}>") < needs_you.index(f"<@{BEN}>")
    assert "not on track, concern, 1 target rolled over twice" in needs_you
    assert "observations 2/2 · ratings ↑1 ↓0 · targets 1 set, 1 met, 1 overdue · 1 reflection owed" in needs_you
    nudges = [b for b in message.blocks if b.get("accessory", {}).get("action_id") == digest_ids.NUDGE_ACTION]
    assert [b["accessory"]["value"] for b in nudges] == [AMY]
    assert "Private" not in text and "Secret" not in text  # counts and flags, never notes


def test_the_slt_summary_has_the_numbers_and_no_personal_notes(deps: Deps, school: None) -> None:
    week = deps.digests.build(TEAM, WEEK)
    message = slt_summary(week, {"mentees": 2, "on_cadence_pct": 50, "not_on_track": 0})
    text = block_text(message.blocks)

    assert "3 mentees: 1 trainee · 1 ECT · 1 staff ▲1 since last week" in text
    assert "67% (2 of 3) ▲17 pts since last week" in text  # meeting their cadence
    assert "33% (1 of 3)" in text  # observed twice this half term
    assert "*Not on track*\n1 ▲1 since last week" in text
    table = (
        "Standard    Fully  Partly  Not  N/A\n3               1       1    0    0\n7               1       0    1    0"
    )
    assert table in text
    assert f"<@{CAL}> (mentor <@{AMY}>): not on track, concern" in text
    for private in ("Private concern detail", "Private meeting notes", "Secret strengths note", "cold calling"):
        assert private not in text


def run_digests(deps: Deps, now: datetime = FRIDAY_AFTERNOON, worker: str | None = None) -> Any:
    return digest_run(deps, make_web_client(deps.settings), worker=worker).run(TEAM, WEEK, now)


def deliveries(db: Database) -> dict[tuple[str, str], DigestDelivery]:
    with db.unit_of_work() as session:
        rows = session.scalars(select(DigestDelivery)).all()
    return {(r.kind.value, r.recipient): r for r in rows}


def test_each_digest_is_delivered_once_with_the_chart(deps: Deps, emulator: SlackEmulator, school: None) -> None:
    first = run_digests(deps)
    again = run_digests(deps, FRIDAY_AFTERNOON + timedelta(minutes=5))

    assert sorted(first.sent) == ["SLT channel", f"lead <@{LEO}>"]
    assert sorted(again.already_sent) == ["SLT channel", f"lead <@{LEO}>"] and again.sent == []
    [to_leo] = emulator.messages_to(LEO)
    assert "Your mentoring digest: week of 23 November" in block_text(to_leo["blocks"])
    assert to_leo["metadata"]["event_type"] == "mentor_bot_digest"
    [to_slt] = emulator.messages_to(SLT_CHANNEL)
    assert "School mentoring summary" in block_text(to_slt["blocks"])
    [chart] = emulator.uploaded_files
    assert chart["channel_id"] == SLT_CHANNEL and chart["content"][:8] == b"\x89PNG\r\n\x1a\n"
    assert chart["thread_ts"] == emulator.history(SLT_CHANNEL)[0]["ts"]
    assert {k: r.status for k, r in deliveries(deps.db).items()} == {
        ("lead", LEO): DeliveryStatus.SENT,
        ("slt", SLT_CHANNEL): DeliveryStatus.SENT,
    }


def test_rate_limits_and_server_errors_still_deliver_exactly_once(
    deps: Deps, emulator: SlackEmulator, school: None
) -> None:
    emulator.fail_next("chat.postMessage", status=429, retry_after=1)
    emulator.fail_next("chat.postMessage", status=500)

    report = run_digests(deps)

    assert sorted(report.sent) == ["SLT channel", f"lead <@{LEO}>"]
    assert len(emulator.messages_to(LEO)) == 1 and len(emulator.messages_to(SLT_CHANNEL)) == 1
    assert [c.status for c in emulator.calls_to("chat.postMessage")][:3] == [429, 500, 200]


def test_a_timed_out_digest_is_looked_for_before_any_resend(deps: Deps, emulator: SlackEmulator, school: None) -> None:
    client = make_web_client(deps.settings)
    client.timeout = 1
    emulator.delay_next("chat.postMessage", 2.5, channel=SLT_CHANNEL)  # posted, but the answer comes too late

    first = digest_run(deps, client).run(TEAM, WEEK, FRIDAY_AFTERNOON)
    assert first.failed == ["SLT channel"] and first.sent == [f"lead <@{LEO}>"]
    slt = deliveries(deps.db)[("slt", SLT_CHANNEL)]
    assert slt.status is DeliveryStatus.SENDING and "may have arrived" in (slt.last_error or "")
    wait_until(lambda: emulator.messages_to(SLT_CHANNEL), what="the late summary", timeout=5)
    # The next tick leaves it alone; after the lease a worker finds the message in the channel: never resent.
    soon = digest_run(deps, client).run(TEAM, WEEK, FRIDAY_AFTERNOON + timedelta(minutes=5))
    later = digest_run(deps, client).run(TEAM, WEEK, FRIDAY_AFTERNOON + timedelta(minutes=15))

    assert soon.busy == ["SLT channel"] and later.already_sent == [f"lead <@{LEO}>", "SLT channel"]
    assert len(emulator.messages_to(SLT_CHANNEL)) == 1 and len(emulator.messages_to(LEO)) == 1
    assert deliveries(deps.db)[("slt", SLT_CHANNEL)].status is DeliveryStatus.SENT


def test_two_schedulers_racing_deliver_one_of_each(deps: Deps, emulator: SlackEmulator, school: None) -> None:
    reports: list[Any] = []
    start = threading.Barrier(2)

    def worker(name: str) -> None:
        start.wait()
        reports.append(run_digests(deps, worker=name))

    threads = [threading.Thread(target=worker, args=(f"worker-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(emulator.messages_to(LEO)) == 1 and len(emulator.messages_to(SLT_CHANNEL)) == 1
    assert sum(len(r.sent) for r in reports) == 2


def test_a_worker_that_died_after_sending_is_not_repeated_and_one_that_died_before_is(
    deps: Deps, db: Database, emulator: SlackEmulator, school: None
) -> None:
    earlier = FRIDAY_AFTERNOON - timedelta(minutes=30)
    client = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    lead_dm = client.conversations_open(users=LEO)["channel"]["id"]
    with db.unit_of_work() as session:
        sent_then_died = DigestDelivery(
            team_id=TEAM,
            week=str(WEEK),
            kind=DeliveryKind.LEAD,
            recipient=LEO,
            status=DeliveryStatus.SENDING,
            attempts=1,
            claimed_by="dead",
            claimed_at=earlier,
            channel=lead_dm,
            created_at=earlier,
        )
        died_before = DigestDelivery(
            team_id=TEAM,
            week=str(WEEK),
            kind=DeliveryKind.SLT,
            recipient=SLT_CHANNEL,
            status=DeliveryStatus.SENDING,
            attempts=1,
            claimed_by="dead",
            claimed_at=earlier,
            channel=SLT_CHANNEL,
            created_at=earlier,
        )
        session.add_all([sent_then_died, died_before])
        session.flush()
        delivery_id = sent_then_died.id
    client.chat_postMessage(
        channel=lead_dm,
        text="digest",
        metadata={"event_type": "mentor_bot_digest", "event_payload": {"delivery": delivery_id}},
    )

    report = run_digests(deps)

    assert report.already_sent == [f"lead <@{LEO}>"] and report.sent == ["SLT channel"]
    assert len(emulator.messages_to(LEO)) == 1 and len(emulator.messages_to(SLT_CHANNEL)) == 1
    assert {r.status for r in deliveries(db).values()} == {DeliveryStatus.SENT}


def test_a_fresh_claim_by_another_worker_is_left_alone(
    deps: Deps, db: Database, emulator: SlackEmulator, school: None
) -> None:
    with db.unit_of_work() as session:
        session.add(
            DigestDelivery(
                team_id=TEAM,
                week=str(WEEK),
                kind=DeliveryKind.LEAD,
                recipient=LEO,
                status=DeliveryStatus.SENDING,
                attempts=1,
                claimed_by="alive",
                claimed_at=FRIDAY_AFTERNOON - timedelta(minutes=1),
                created_at=FRIDAY_AFTERNOON,
            )
        )
    report = run_digests(deps)
    assert report.busy == [f"lead <@{LEO}>"] and emulator.messages_to(LEO) == []


def test_a_delivery_that_fails_is_recorded_and_retried_at_the_next_tick(
    deps: Deps, db: Database, emulator: SlackEmulator, school: None
) -> None:
    emulator.fail_next("chat.postMessage", error="fatal_error", times=1)

    first = run_digests(deps)
    failed = deliveries(db)
    second = run_digests(deps, FRIDAY_AFTERNOON + timedelta(minutes=5))

    assert first.failed == [f"lead <@{LEO}>"]  # the lead's digest goes first, and met the error
    assert failed[("lead", LEO)].status is DeliveryStatus.FAILED and failed[("lead", LEO)].last_error == "fatal_error"
    assert second.sent == [f"lead <@{LEO}>"]
    assert len(emulator.messages_to(LEO)) == 1 and len(emulator.messages_to(SLT_CHANNEL)) == 1
    assert max(r.attempts for r in deliveries(db).values()) == 2


def test_a_lead_mentor_who_left_is_skipped_and_the_admins_told(
    deps: Deps, db: Database, emulator: SlackEmulator, school: None
) -> None:
    emulator.add_user(LEO, "leo", deleted=True)

    report = run_digests(deps)
    again = run_digests(deps, FRIDAY_AFTERNOON + timedelta(minutes=5))

    assert report.undeliverable == [f"lead <@{LEO}>"] and "SLT channel" in report.sent
    assert deliveries(db)[("lead", LEO)].status is DeliveryStatus.UNDELIVERABLE
    [notice] = emulator.messages_to(ADMIN)
    assert f"I couldn't send this week's digest to <@{LEO}>" in notice["text"]
    assert again.sent == [] and len(emulator.messages_to(ADMIN)) == 1


def test_nothing_configured_tells_the_admins_once(
    deps: Deps, db: Database, emulator: SlackEmulator, school: None
) -> None:
    with db.unit_of_work() as session:
        for grant in session.scalars(select(RoleGrant).where(RoleGrant.role != Role.ADMIN)):
            session.delete(grant)
        session.get(Workspace, TEAM).slt_channel_id = None  # type: ignore[union-attr]

    run_digests(deps)
    run_digests(deps, FRIDAY_AFTERNOON + timedelta(minutes=5))

    notices = [m["text"] for m in emulator.messages_to(ADMIN)]
    assert len(notices) == 2
    assert any("`/mentor role add @person lead`" in n for n in notices)
    assert any("`/mentor slt-channel #channel`" in n for n in notices)


def test_a_channel_the_bot_is_not_in_is_reported_then_retried(
    deps: Deps, db: Database, emulator: SlackEmulator, school: None
) -> None:
    emulator.add_channel(SLT_CHANNEL, "slt", is_member=False)

    first = run_digests(deps)
    emulator.add_channel(SLT_CHANNEL, "slt", is_member=True)  # someone typed /invite
    second = run_digests(deps, FRIDAY_AFTERNOON + timedelta(minutes=5))

    assert first.failed == ["SLT channel"] and second.sent == ["SLT channel"]
    [notice] = emulator.messages_to(ADMIN)
    assert "I'm not in it. Type `/invite @mentor-bot` there." in notice["text"]


def test_digests_fall_due_at_the_configured_time_in_school_time(deps: Deps) -> None:
    assert digest_due(datetime(2026, 11, 27, 14, 59, tzinfo=LONDON), deps) is None
    assert digest_due(datetime(2026, 11, 27, 15, 0, tzinfo=LONDON), deps) == WEEK
    assert digest_due(datetime(2026, 11, 29, 23, 0, tzinfo=LONDON), deps) == WEEK
    assert digest_due(datetime(2026, 11, 30, 9, 0, tzinfo=LONDON), deps) is None  # a new week


def test_a_large_cohort_pages_into_the_thread_within_slacks_limits(
    deps: Deps, db: Database, emulator: SlackEmulator, school: None
) -> None:
    add_cohort(db, 1500)

    report = run_digests(deps)

    assert f"lead <@{LEO}>" in report.sent
    messages = emulator.history(emulator.messages_to(LEO)[0]["channel"])
    assert len(messages) > 1 and all(len(m["blocks"]) <= 50 for m in messages)
    assert all(m.get("thread_ts") == messages[0]["ts"] for m in messages[1:])
    everyone = "".join(block_text(m["blocks"]) for m in messages)
    assert all(f"<@UE{n:05d}>" in everyone for n in range(1500))  # nobody silently dropped


def test_preview_prints_without_sending(deps: Deps, emulator: SlackEmulator, school: None) -> None:
    week = deps.digests.build(TEAM, WEEK)
    text = blocks_as_text(lead_digest(week).messages[0].blocks)
    assert "Your mentoring digest: week of 23 November" in text and "[Nudge]" in text
    assert emulator.calls_to("chat.postMessage") == []


def test_half_term_does_not_count_against_the_meeting_cadence(deps: Deps, db: Database, school: None) -> None:
    with db.unit_of_work() as session:
        ben = session.scalars(select(Mentorship).where(Mentorship.mentee_id == BEN)).one()
        session.add(meeting_row(ben, date(2026, 10, 23)))  # the Friday before October half term

    half_term = deps.digests.build(TEAM, Week(2026, 44))  # 26 Oct – 1 Nov, all holiday
    back = deps.digests.build(TEAM, Week(2026, 45))  # 2–8 Nov: a school week, no meeting

    assert {m.mentee_id: m.on_cadence for m in half_term.mentees}[BEN] is True
    assert {m.mentee_id: m.on_cadence for m in back.mentees}[BEN] is False


def test_a_next_meeting_date_set_at_the_last_meeting_is_the_due_date(deps: Deps, db: Database, school: None) -> None:
    with db.unit_of_work() as session:
        cal = session.scalars(select(Mentorship).where(Mentorship.mentee_id == CAL)).one()
        planned = meeting_row(cal, date(2026, 11, 13))
        planned.next_meeting_on = date(2026, 12, 2)  # agreed: after the school trip
        session.add(planned)

    week = deps.digests.build(TEAM, WEEK)

    cal_week = {m.mentee_id: m for m in week.mentees}[CAL]
    assert cal_week.planned_meeting == date(2026, 12, 2) and cal_week.on_cadence is True
