"""A week of mentoring through signed requests, then Friday's digest job against the Slack emulator."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.app.bootstrap import Deps
from bot.app.scheduler import digest_tick
from bot.app.slack_client import make_web_client
from handlers.digests import ids as digest_ids
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.meetings import answers as meeting_answers
from tests.support.meetings import open_modal as open_meeting
from tests.support.meetings import submit as submit_meeting
from tests.support.observations import full_answers, open_form
from tests.support.observations import submit as submit_observation
from tests.support.people import ADMIN, AMY, BEN, CAL, LEO, LONDON, SAM, SLT_CHANNEL
from tests.support.school import add_people, enrol
from tests.support.slack import block_text, mention

SLT = SLT_CHANNEL
MONDAY = datetime(2026, 11, 23, 8, 30, tzinfo=LONDON)


def at(clock: FakeClock, day: int, hour: int = 16) -> None:
    """Move the clock to a day of week 48 (Monday 23 November is day 0)."""
    clock.now = MONDAY.replace(hour=hour, minute=0) + timedelta(days=day)


@pytest.fixture
def week_of_mentoring(slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock) -> None:
    add_people(emulator, ADMIN, AMY, BEN, CAL, LEO, SAM)
    emulator.add_channel(SLT, "slt", is_member=True)
    # The autumn term's second half began on 2 November; the mentorships began then.
    clock.now = datetime(2026, 11, 2, 8, 30, tzinfo=LONDON)
    enrol(
        slack, clock, mentees={BEN: "trainee", CAL: "ect"}, lead=LEO, slt=SAM, slt_channel=SLT, days_ago=0, reset=False
    )

    at(clock, 1)  # Tuesday: Amy meets Ben and sets a target in the meeting
    view = open_meeting(slack, mention(BEN))
    submit_meeting(
        slack,
        view,
        meeting_answers(
            view, held_on="2026-11-24", **{"new_text_0": "Use cold calling in every lesson by Friday week"}
        ),
    )
    wait_until(lambda: emulator.messages_to(BEN), what="Ben's meeting notes")

    at(clock, 2)  # Wednesday: Amy observes Ben, who is doing well
    submit_observation(slack, open_form(slack, mention(BEN)), full_answers(date="2026-11-25"))
    at(clock, 3)  # Thursday: Leo observes Cal: not on track, with a concern
    concern = {"field:on_track": "no", "field:concerns": "Lost the class twice; safeguarding log not completed."}
    submit_observation(
        slack, open_form(slack, mention(CAL), user=LEO), full_answers(date="2026-11-26", **concern), user=LEO
    )
    wait_until(lambda: emulator.messages_to(CAL), what="Cal's observation")
    # Leo's own confirmation follows Cal's DM: wait for it too, or it can land after the reset below.
    wait_until(lambda: emulator.messages_to(LEO), what="Leo's confirmation")
    emulator.reset()


def friday_digest(deps: Deps, clock: FakeClock) -> None:
    at(clock, 4, hour=15)
    clock.now = clock.now.replace(minute=5)
    digest_tick(deps, make_web_client(deps.settings), "T0001")


def test_the_lead_mentor_and_slt_get_the_weeks_picture_with_the_right_numbers(
    slack: SlackDriver, emulator: SlackEmulator, deps: Deps, clock: FakeClock, week_of_mentoring: None
) -> None:
    at(clock, 4, hour=14)
    digest_tick(deps, make_web_client(deps.settings), "T0001")  # before 15:00 on Friday: nothing yet
    assert emulator.calls_to("chat.postMessage") == []

    friday_digest(deps, clock)

    [to_leo] = emulator.messages_to(LEO)
    lead = block_text(to_leo["blocks"])
    assert "*2 mentees* · :large_green_circle: 1 on track · :warning: 1 need you · :hourglass: 1 mentor" in lead
    needs_you, on_track = lead[lead.index("*Needs you*") : lead.index("*On track*")], lead[lead.index("*On track*") :]
    assert f"<@{CAL}>" in needs_you and f"<@{BEN}>" in on_track
    assert f"*<@{CAL}>* (mentor <@{AMY}>) · :warning: not on track, concern" in lead
    assert f"*<@{BEN}>* (mentor <@{AMY}>) · meetings 1 this week (last 24 Nov) · observations 1/2" in lead
    assert "1 reflection owed" in lead
    assert f"<@{AMY}>: no meeting logged on cadence with <@{CAL}>" in lead  # Cal hasn't met Amy since 2 Nov
    assert "Lost the class" not in lead and "Talked through" not in lead

    [to_slt] = emulator.messages_to(SLT)
    summary = block_text(to_slt["blocks"])
    assert "2 mentees: 1 trainee · 1 ECT" in summary
    assert "*Meeting their cadence*\n50% (1 of 2)" in summary
    assert "*Observed twice this half term*\n0% (0 of 2)" in summary
    assert "*Not on track*\n1" in summary and "*Concerns this half term*\n1" in summary
    assert f"<@{CAL}> (mentor <@{AMY}>): not on track, concern" in summary
    for private in ("Lost the class", "safeguarding log", "Warm, calm routines", "Talked through", "cold calling"):
        assert private not in summary
    [chart] = emulator.uploaded_files
    assert chart["channel_id"] == SLT and chart["content"].startswith(b"\x89PNG")


def test_slack_trouble_still_delivers_exactly_one_of_each(
    emulator: SlackEmulator, deps: Deps, clock: FakeClock, week_of_mentoring: None
) -> None:
    emulator.fail_next("chat.postMessage", status=429, retry_after=1)
    emulator.fail_next("chat.postMessage", status=500)

    friday_digest(deps, clock)
    clock.now += timedelta(minutes=5)
    digest_tick(deps, make_web_client(deps.settings), "T0001")  # the next tick sends nothing again

    assert len(emulator.messages_to(LEO)) == 1 and len(emulator.messages_to(SLT)) == 1


def nudge(slack: SlackDriver, emulator: SlackEmulator, *, user: str) -> str:
    [digest] = emulator.messages_to(LEO)
    button: dict[str, Any] = next(
        b["accessory"] for b in digest["blocks"] if b.get("accessory", {}).get("action_id") == digest_ids.NUDGE_ACTION
    )
    before = len(emulator.responses)
    slack.click(digest_ids.NUDGE_ACTION, user=user, value=button["value"], block_id="nudge")
    return str(wait_until(lambda: emulator.responses[before:], what="the reply")[0]["text"])


def test_nudge_dms_the_quiet_mentor(
    slack: SlackDriver, emulator: SlackEmulator, deps: Deps, clock: FakeClock, week_of_mentoring: None
) -> None:
    friday_digest(deps, clock)

    assert nudge(slack, emulator, user=LEO) == f"Nudged <@{AMY}>."
    [to_amy] = wait_until(lambda: emulator.messages_to(AMY), what="the nudge")
    assert f"<@{LEO}> noticed there's no meeting logged lately with" in to_amy["text"]
    assert "`/meeting @mentee`" in to_amy["text"]


def test_only_leaders_can_nudge(
    slack: SlackDriver, emulator: SlackEmulator, deps: Deps, clock: FakeClock, week_of_mentoring: None
) -> None:
    friday_digest(deps, clock)

    refused = nudge(slack, emulator, user=BEN)

    assert "Sorry, only lead mentors, SLT and the bot's admins can nudge a mentor" in refused
    assert emulator.messages_to(AMY) == []


def test_the_bot_process_schedules_the_digest_tick(
    emulator: SlackEmulator, deps: Deps, clock: FakeClock, week_of_mentoring: None
) -> None:
    from bot.app.scheduler import DIGEST_JOB, RETENTION_JOB, build_scheduler

    scheduler = build_scheduler(deps)
    job = scheduler.get_job(DIGEST_JOB)
    assert job is not None and job.trigger.interval == timedelta(minutes=5)
    assert scheduler.get_job(RETENTION_JOB) is not None

    at(clock, 4, hour=16)
    job.func(*job.args)  # what the scheduler runs each tick

    assert len(emulator.messages_to(LEO)) == 1 and len(emulator.messages_to(SLT)) == 1


def another_workspace(deps: Deps, team_id: str, lead: str) -> None:
    """A workspace the bot met before T0001, with its own lead mentor."""
    from storage.roster import Role, RoleGrant, WorkspaceRepository

    long_ago = datetime(2026, 9, 1, 9, 0, tzinfo=LONDON)
    with deps.db.unit_of_work() as session:
        WorkspaceRepository(session).ensure(team_id, long_ago)
        session.add(RoleGrant(team_id=team_id, user_id=lead, role=Role.LEAD, granted_by=ADMIN, granted_at=long_ago))


def run_digest_job(deps: Deps) -> None:
    from bot.app.scheduler import DIGEST_JOB, build_scheduler

    job = build_scheduler(deps).get_job(DIGEST_JOB)
    assert job is not None
    job.func(*job.args)


def test_the_digest_job_serves_each_workspace_it_has_a_token_for(
    emulator: SlackEmulator, deps: Deps, clock: FakeClock, week_of_mentoring: None
) -> None:
    another_workspace(deps, "T0002", "ULEAD002")  # SLACK_BOT_TOKEN belongs to T0001 only
    at(clock, 4, hour=16)

    run_digest_job(deps)

    assert len(emulator.messages_to(LEO)) == 1 and len(emulator.messages_to(SLT)) == 1
    assert emulator.messages_to("ULEAD002") == []
    assert all(call.params.get("users") != "ULEAD002" for call in emulator.calls_to("conversations.open"))


def test_a_workspace_whose_digest_fails_is_logged_and_skipped_and_the_others_still_get_theirs(
    emulator: SlackEmulator,
    deps: Deps,
    clock: FakeClock,
    week_of_mentoring: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    another_workspace(deps, "T0002", "ULEAD002")
    monkeypatch.setattr(deps.slack, "for_team", lambda team_id: deps.slack.client)  # as if it held both tokens
    build = deps.digests.build

    def failing_for_t0002(team_id: str, week: Any) -> Any:
        if team_id == "T0002":
            raise RuntimeError("the database lost T0002's rows")
        return build(team_id, week)

    monkeypatch.setattr(deps.digests, "build", failing_for_t0002)
    at(clock, 4, hour=16)

    run_digest_job(deps)  # T0002 comes first: it was met first

    assert len(emulator.messages_to(LEO)) == 1 and len(emulator.messages_to(SLT)) == 1
    assert emulator.messages_to("ULEAD002") == []
    assert "The digest job failed for workspace T0002" in caplog.text
