"""Friday at scale: the digest job delivers many installed workspaces at once, each with the bot token its
installation holds, within Slack's per-channel limit (429 with Retry-After), and each digest exactly once however
many ticks overlap."""

from __future__ import annotations

import threading
from datetime import datetime

from bot.app.bootstrap import bootstrap
from bot.app.scheduler import _digest_job
from tests.conftest import BackendDatabase
from tests.support.clock import FakeClock
from tests.support.emulator import Call, SlackEmulator
from tests.support.installs import install_workspaces, oauth_settings
from tests.support.people import LONDON
from tests.support.seeding import seed_schools

TEAMS = ["TSCHOOLA", "TSCHOOLB", "TSCHOOLC", "TSCHOOLD"]
AFTER_SEND_TIME = datetime(2026, 12, 11, 16, 0, tzinfo=LONDON)  # Friday of week 50, after 15:00


def _posts(emulator: SlackEmulator, *, status: int = 200) -> list[Call]:
    return [
        call
        for call in emulator.calls_to("chat.postMessage")
        if call.status == status and (status != 200 or (call.response or {}).get("ok"))
    ]


def _digest_posts(emulator: SlackEmulator) -> dict[tuple[str | None, str], int]:
    """Accepted top-level digest messages, counted per (workspace, channel)."""
    counts: dict[tuple[str | None, str], int] = {}
    for call in _posts(emulator):
        if call.params.get("thread_ts") or not call.params.get("metadata"):
            continue
        key = (emulator.team_of(call.token), emulator._canonical(str(call.params["channel"])))
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_every_workspace_gets_its_digests_once_at_once_and_waits_out_slacks_rate_limit(
    backend: BackendDatabase, emulator: SlackEmulator, clock: FakeClock
) -> None:
    seed_schools(backend.db, TEAMS, 6)
    emulator.add_user("ULEAD", "lead", real_name="Lead Mentor")
    emulator.add_channel("CSLT", "slt")
    tokens = install_workspaces(backend.db, emulator, TEAMS)
    assert len(set(tokens.values())) == len(TEAMS)  # each school its own token, as its installation holds
    fanned = bootstrap(oauth_settings(emulator, backend.url, DIGEST_WORKERS="4"), clock=clock, db=backend.db)
    clock.now = AFTER_SEND_TIME
    emulator.limit_channels(1.0)
    # Something else is posted in every school's SLT channel and lead's DM just before each digest: they must wait.
    for token in tokens.values():
        for channel in ("CSLT", "ULEAD"):
            emulator.crowd_channel(token, channel)

    ticks = [threading.Thread(target=_digest_job, args=(fanned,)) for _ in range(2)]  # two ticks overlap
    for tick in ticks:
        tick.start()
    for tick in ticks:
        tick.join(timeout=60)
    _digest_job(fanned)  # and a later tick finds nothing left to send

    dm = emulator._canonical("ULEAD")
    assert _digest_posts(emulator) == {(team, channel): 1 for team in TEAMS for channel in ("CSLT", dm)}
    assert {call.token for call in _posts(emulator)} == set(tokens.values())  # each with its installation's token
    limited = _posts(emulator, status=429)
    assert {emulator.team_of(call.token) for call in limited} == set(TEAMS)  # every school was told to wait…
    for call in limited:  # …and came back no sooner than Retry-After said
        school, channel = emulator.team_of(call.token), str(call.params["channel"])
        later = [
            c.at
            for c in _posts(emulator)
            if emulator.team_of(c.token) == school and c.params["channel"] == channel and c.at > call.at
        ]
        assert later and min(later) - call.at >= 1.0
    # The schools were served side by side: every school tried its first post before any school's wait was over.
    posts = emulator.calls_to("chat.postMessage")
    spans = {team: [c.at for c in posts if emulator.team_of(c.token) == team] for team in TEAMS}
    assert min(max(times) for times in spans.values()) > max(min(times) for times in spans.values())
