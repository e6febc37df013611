"""Acks never wait for other requests' work: with listeners stuck on a slow Slack after their acks, new requests
are still acknowledged at once (Bolt's own pool of five threads would make them wait), and the stuck work still
finishes, each in its turn."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from bot.app.bootstrap import Deps
from bot.app.slack_app import create_app
from bot.app.web import BackgroundServer
from handlers.slack.pacing import AFTER_ACK_SLOTS
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.people import ADMIN, AMY, BEN, LEO, SIGNING_SECRET
from tests.support.school import add_people, enrol
from tests.support.slack import mention

AT_ONCE = AFTER_ACK_SLOTS + 6  # more than Bolt's five threads, and more than the turns for work after acks


@pytest.fixture
def served(deps: Deps, emulator: SlackEmulator) -> Iterator[SlackDriver]:
    server = BackgroundServer(create_app(deps), signing_secret=SIGNING_SECRET).start()  # the app's own pool
    yield SlackDriver(server.url, SIGNING_SECRET, emulator)
    server.stop()


def test_commands_are_acknowledged_while_earlier_ones_wait_on_slack_and_every_modal_still_opens(
    served: SlackDriver, emulator: SlackEmulator, clock: FakeClock
) -> None:
    add_people(emulator, ADMIN, AMY, BEN, LEO)
    enrol(served, clock)
    emulator.trigger_ttl = 60  # the queued ones open late here; only the order is under test
    emulator.delay_next("views.open", 2.0, times=AT_ONCE)  # Slack is slow to open modals
    statuses: list[int] = []
    acked = threading.Barrier(AT_ONCE + 1)

    def observe() -> None:
        statuses.append(served.command("/observe", mention(BEN), user=AMY).status)
        acked.wait(timeout=30)

    people = [threading.Thread(target=observe) for _ in range(AT_ONCE)]
    for person in people:
        person.start()
    acked.wait(timeout=30)  # every command has its HTTP 200 …
    assert statuses == [200] * AT_ONCE
    assert emulator.calls_to("views.open") == []  # … before Slack has answered a single views.open

    for person in people:
        person.join(timeout=30)
    wait_until(lambda: len(emulator.calls_to("views.open")) == AT_ONCE, timeout=30, what="every modal")
    assert all(call.response and call.response["ok"] for call in emulator.calls_to("views.open"))
