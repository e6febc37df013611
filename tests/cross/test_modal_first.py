"""Modals open before slow checks: a slow users.info never costs a person their form (issue #16).

Slack's trigger lives 3 s (2 s here, to be strict). When the people directory takes 2.5 s to answer, the bot
can't build the form in time, so an "Opening …" placeholder goes out on the trigger and the form replaces it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.app.slack_app import create_app
from bot.app.web import BackgroundServer
from handlers.home import ids as home_ids
from handlers.meetings import ids as meeting_ids
from handlers.observations import ids as observation_ids
from handlers.slack.modal_first import PLACEHOLDER_AFTER_SECONDS, PLACEHOLDER_CALLBACK, ModalFirst, PlaceholderTiming
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.people import ADMIN, AMY, BEN, CAT, LEO, SIGNING_SECRET, mention
from tests.support.school import add_people, enrol
from tests.support.slack import block_text, modal_on_screen, modals_opened

TRIGGER_LIFE = 2.0
SLOW_DIRECTORY = 2.5  # longer than the trigger lives


@pytest.fixture
def serve(deps: Deps, emulator: SlackEmulator) -> Iterator[Callable[[float], SlackDriver]]:
    """Start the bot with its placeholder due after the given seconds (the suite's default is generous)."""
    running: list[tuple[BackgroundServer, ThreadPoolExecutor]] = []

    def start(placeholder_after: float) -> SlackDriver:
        listeners = ThreadPoolExecutor(max_workers=8, thread_name_prefix="bolt-listener")
        app = create_app(deps, listener_executor=listeners, placeholder_after=placeholder_after)
        server = BackgroundServer(app, signing_secret=SIGNING_SECRET).start()
        running.append((server, listeners))
        return SlackDriver(server.url, SIGNING_SECRET, emulator)

    yield start
    for server, listeners in running:
        server.stop()
        listeners.shutdown(wait=True)


def school(
    serve: Callable[[float], SlackDriver],
    emulator: SlackEmulator,
    clock: FakeClock,
    *,
    placeholder_after: float = PLACEHOLDER_AFTER_SECONDS,
    slow_directory: bool = True,
) -> SlackDriver:
    """Amy mentors Ben; Leo is lead mentor; Cat is a colleague. With `slow_directory`, two days on (so the bot
    asks Slack about everyone again) and every users.info takes SLOW_DIRECTORY seconds."""
    slack = serve(placeholder_after)
    add_people(emulator, ADMIN, AMY, BEN, LEO, CAT)
    enrol(slack, clock, mentees={BEN: "trainee"}, lead=LEO)
    emulator.trigger_ttl = TRIGGER_LIFE
    if slow_directory:
        clock.now += timedelta(days=2)
        emulator.slow_users_info(SLOW_DIRECTORY, times=20)
    return slack


def only_placeholder(emulator: SlackEmulator) -> dict[str, Any]:
    """The one views.open of the request, which must be the placeholder, opened while the trigger was alive."""
    opened = emulator.calls_to("views.open")
    assert len(opened) == 1, [c.params["view"].get("callback_id") for c in opened]
    assert opened[0].response is not None and opened[0].response["ok"], opened[0].response
    view: dict[str, Any] = opened[0].params["view"]
    assert view["callback_id"] == PLACEHOLDER_CALLBACK
    return view


def test_a_slow_directory_still_gets_the_observation_form_on_screen(
    serve: Callable[[float], SlackDriver], emulator: SlackEmulator, clock: FakeClock
) -> None:
    slack = school(serve, emulator, clock)

    result = slack.command("/observe", mention(BEN, "ben"), user=AMY)

    assert result.status == 200 and not result.body
    form = modal_on_screen(emulator, opened_before=0, what="the observation form", timeout=15)
    assert form["callback_id"] == observation_ids.OBSERVE_CALLBACK, block_text(form["blocks"])
    assert form["title"]["text"] == "Lesson observation"
    placeholder = only_placeholder(emulator)
    assert placeholder["title"]["text"] == "Lesson observation"
    assert "Opening *Lesson observation*" in block_text(placeholder["blocks"])
    assert emulator.calls_to("views.update")[-1].params["view_id"] == form["id"]
    assert emulator.responses == []  # nothing said ephemerally


def test_a_slow_directory_still_gets_the_meeting_form_on_screen(
    serve: Callable[[float], SlackDriver], emulator: SlackEmulator, clock: FakeClock
) -> None:
    slack = school(serve, emulator, clock)

    slack.command(meeting_ids.MEETING, mention(BEN, "ben"), user=AMY)

    form = modal_on_screen(emulator, opened_before=0, what="the meeting form", timeout=15)
    assert form["callback_id"] == meeting_ids.MEETING_CALLBACK
    assert only_placeholder(emulator)["title"]["text"] == "Log meeting"


def test_a_home_button_with_a_slow_directory_still_opens_its_form(
    serve: Callable[[float], SlackDriver], emulator: SlackEmulator, clock: FakeClock
) -> None:
    slack = school(serve, emulator, clock, slow_directory=False)
    slack.open_home(AMY)
    home = wait_until(lambda: emulator.published_home(AMY), what="Amy's Home")
    emulator.reset()  # forget the Home's calls
    clock.now += timedelta(days=2)
    emulator.slow_users_info(SLOW_DIRECTORY, times=20)

    slack.click(home_ids.OBSERVE_ACTION, user=AMY, value=BEN, view=home)

    form = modal_on_screen(emulator, opened_before=0, what="the observation form", timeout=15)
    assert form["callback_id"] == observation_ids.OBSERVE_CALLBACK
    assert only_placeholder(emulator)["title"]["text"] == "Observe"


def test_a_refusal_after_the_placeholder_is_shown_in_it(
    serve: Callable[[float], SlackDriver], emulator: SlackEmulator, clock: FakeClock
) -> None:
    slack = school(serve, emulator, clock)

    slack.command("/observe", mention(BEN, "ben"), user=CAT)

    notice = modal_on_screen(emulator, opened_before=0, what="the refusal", timeout=15)
    assert "only the teacher's mentors, lead mentors, SLT and the bot's admins" in block_text(notice["blocks"])
    assert notice["id"] == emulator.calls_to("views.open")[0].response["view"]["id"]  # type: ignore[index]
    assert only_placeholder(emulator) and emulator.responses == []


def test_a_failure_after_the_placeholder_is_said_in_it(
    serve: Callable[[float], SlackDriver], emulator: SlackEmulator, clock: FakeClock
) -> None:
    slack = school(serve, emulator, clock)
    emulator.fail_next("views.update", error="internal_error")  # the form can't replace the placeholder

    slack.command("/observe", mention(BEN, "ben"), user=AMY)

    notice = wait_until(lambda: len(emulator.calls_to("views.update")) == 2, what="the notice", timeout=15)
    assert notice and "Sorry, something went wrong on my side" in block_text(
        (emulator.modal_on_screen() or {}).get("blocks", [])
    )
    assert only_placeholder(emulator)


def test_a_placeholder_the_person_closed_is_logged_not_an_error(
    serve: Callable[[float], SlackDriver], emulator: SlackEmulator, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    slack = school(serve, emulator, clock)

    slack.command("/observe", mention(BEN, "ben"), user=AMY)
    opened = wait_until(lambda: emulator.calls_to("views.open"), what="the placeholder", timeout=15)
    emulator.close_view(opened[0].response["view"]["id"])  # type: ignore[index]

    update = wait_until(lambda: emulator.calls_to("views.update"), what="the form's update", timeout=15)[0]
    assert update.response == {"ok": False, "error": "not_found"}
    wait_until(lambda: any("placeholder modal was closed" in r.getMessage() for r in caplog.records), what="the log")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert emulator.responses == [] and emulator.modal_on_screen() is None


def test_a_quick_answer_is_one_views_open_and_nothing_else(
    serve: Callable[[float], SlackDriver], emulator: SlackEmulator, clock: FakeClock
) -> None:
    slack = school(serve, emulator, clock, placeholder_after=TRIGGER_LIFE, slow_directory=False)
    before = modals_opened(emulator)

    slack.command("/observe", mention(BEN, "ben"), user=AMY)

    form = modal_on_screen(emulator, opened_before=before, what="the observation form")
    assert form["callback_id"] == observation_ids.OBSERVE_CALLBACK
    assert [c.params["view"]["callback_id"] for c in emulator.calls_to("views.open")] == [
        observation_ids.OBSERVE_CALLBACK
    ]
    assert emulator.calls_to("views.update") == [] and emulator.calls_to("views.push") == []


def test_a_mistyped_command_that_comes_late_gets_its_answer_and_no_modal(
    serve: Callable[[float], SlackDriver], emulator: SlackEmulator, clock: FakeClock
) -> None:
    slack = school(serve, emulator, clock, placeholder_after=0.0, slow_directory=False)  # every request "late"
    before = modals_opened(emulator)

    answered = slack.command("/observe", "history", user=AMY)
    threading.Event().wait(0.5)  # long past when a placeholder would have gone out

    assert "Name one teacher." in answered.json["text"]
    assert modals_opened(emulator) == before and emulator.modal_on_screen() is None


def test_a_late_command_that_acknowledged_gets_the_placeholder_then_its_form(
    serve: Callable[[float], SlackDriver], emulator: SlackEmulator, clock: FakeClock
) -> None:
    slack = school(serve, emulator, clock, placeholder_after=0.0, slow_directory=False)

    slack.command("/observe", mention(BEN, "ben"), user=AMY)

    form = modal_on_screen(emulator, opened_before=0, what="the observation form", timeout=15)
    assert form["callback_id"] == observation_ids.OBSERVE_CALLBACK
    assert only_placeholder(emulator)


# --- ModalFirst on its own, against the emulator ------------------------------------------------------------------


def modal_first(emulator: SlackEmulator, *, after: float) -> ModalFirst:
    client = WebClient(base_url=emulator.api_url, token=emulator.bot_token)
    body = {"trigger_id": emulator.new_trigger_id(), "container": {"type": "message"}}
    modal = ModalFirst(client, body, title="Weekly meeting", timing=PlaceholderTiming(time.monotonic(), after))
    modal.acknowledged()  # as a listener's plain ack() does
    return modal


def form() -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "the_form",
        "title": {"type": "plain_text", "text": "The form"},
        "blocks": [],
    }


def test_a_form_ready_after_the_placeholder_replaces_it_and_the_trigger_is_used_once(emulator: SlackEmulator) -> None:
    modal = modal_first(emulator, after=0.0)
    modal.start()
    wait_until(lambda: emulator.calls_to("views.open"), what="the placeholder")

    shown = modal.open(form())
    modal.finish()

    assert shown is not None and shown["callback_id"] == "the_form"
    assert [c.params["view"]["callback_id"] for c in emulator.calls_to("views.open")] == [PLACEHOLDER_CALLBACK]
    assert (emulator.modal_on_screen() or {}).get("callback_id") == "the_form"


def test_an_unanswered_users_info_brings_the_placeholder_forward(emulator: SlackEmulator) -> None:
    modal = modal_first(emulator, after=60.0)
    modal.start()

    with modal.waiting_on_slack():  # as SlackDirectory does around users.info
        wait_until(lambda: emulator.calls_to("views.open"), what="the placeholder")
    modal.open(form())
    modal.finish()

    assert (emulator.modal_on_screen() or {}).get("callback_id") == "the_form"


def test_no_placeholder_goes_out_once_the_listener_answers_in_words(emulator: SlackEmulator) -> None:
    modal = modal_first(emulator, after=0.05)
    modal.not_needed()
    modal.start()
    threading.Event().wait(0.3)  # well past when the placeholder would have been due
    modal.finish()

    assert emulator.calls_to("views.open") == [] and emulator.modal_on_screen() is None


def test_a_placeholder_left_with_nothing_to_show_says_so(emulator: SlackEmulator) -> None:
    modal = modal_first(emulator, after=0.0)
    modal.start()
    wait_until(lambda: emulator.calls_to("views.open"), what="the placeholder")

    modal.finish()

    assert "nothing to open" in block_text((emulator.modal_on_screen() or {}).get("blocks", []))


def test_no_placeholder_goes_out_before_the_listener_acknowledges(emulator: SlackEmulator) -> None:
    client = WebClient(base_url=emulator.api_url, token=emulator.bot_token)
    body = {"trigger_id": emulator.new_trigger_id(), "container": {"type": "message"}}
    modal = ModalFirst(client, body, title="Weekly meeting", timing=PlaceholderTiming(time.monotonic(), 0.0))
    modal.start()
    threading.Event().wait(0.3)  # due all along, but not yet acknowledged
    assert emulator.calls_to("views.open") == []

    modal.acknowledged()
    wait_until(lambda: emulator.calls_to("views.open"), what="the placeholder once acknowledged")
    modal.open(form())
    modal.finish()

    assert (emulator.modal_on_screen() or {}).get("callback_id") == "the_form"
