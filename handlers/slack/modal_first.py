"""Modals open before slow checks: the trigger a command or button brings is good for 3 s only.

A listener that answers with a modal names `modal` among its arguments and opens its form with
`modal.open(view)` instead of `client.views_open`. When the listener is ready in time, that is one
views.open, exactly as before. When it is not (its turn after the ack came late, users.info is slow, the
database is busy), a small "Opening …" placeholder goes out on the trigger from a timer thread, once the
request is `PlaceholderTiming.after` seconds old or 0.3 s into a users.info that has not answered; the real
form then replaces it with views.update. One trigger is used once: the placeholder and the form never both
call views.open. The placeholder never goes out before the listener has acknowledged: until then it may
still answer in words (a mistyped command), and a modal flashing up beside that answer would confuse.

A listener that answers in words instead says `modal.not_needed()` before its slow work (an `ack` with text
says so by itself). `handlers/slack/answers.py` makes one per request and, once a placeholder is on screen,
shows a refusal in it rather than ephemerally.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum, auto
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.slack.blocks import section
from handlers.slack.replies import SLACK_FAILURES, failure_reason, notice_modal

log = logging.getLogger(__name__)

# Production: a placeholder once a request is a second old leaves two for the form to follow it.
PLACEHOLDER_AFTER_SECONDS = 1.0
# A users.info that has not answered by then is likely to be slow: show the placeholder rather than wait on it.
SLOW_LOOKUP_SECONDS = 0.3
TITLE_LIMIT = 24  # Slack's limit on a modal's title
PLACEHOLDER_CALLBACK = "modal_placeholder"  # no listener: it has no Save, and the form replaces it


@dataclass(frozen=True)
class PlaceholderTiming:
    """When a request's placeholder is due: `after` seconds from `arrived` (time.monotonic())."""

    arrived: float
    after: float = PLACEHOLDER_AFTER_SECONDS


def placeholder_modal(title: str) -> dict[str, Any]:
    """What a person sees while their form is being prepared."""
    return {
        "type": "modal",
        "callback_id": PLACEHOLDER_CALLBACK,
        "title": {"type": "plain_text", "text": title[:TITLE_LIMIT]},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [section(f"Opening *{title}*…")],
    }


class _State(Enum):
    WAITING = auto()  # nothing on screen yet; the timer may still send the placeholder
    SENDING = auto()  # the placeholder's views.open is on its way
    SHOWN = auto()  # the placeholder is on screen, to be replaced by views.update
    DONE = auto()  # the listener opened its own modal, replaced the placeholder, or needs none


class ModalFirst:
    """One request's modal: opened by the listener in time, or a placeholder first and the form after it."""

    def __init__(
        self,
        client: WebClient,
        body: dict[str, Any],
        *,
        title: str,
        timing: PlaceholderTiming,
    ) -> None:
        self._client = client
        self._trigger_id = str(body.get("trigger_id") or "")
        # A button inside a modal stacks its modal on top (views.push); anything else opens one.
        container, view = body.get("container") or {}, body.get("view") or {}
        self._push = container.get("type") == "view" and view.get("type") == "modal"
        self._title = title[:TITLE_LIMIT]
        self._due = timing.arrived + timing.after
        self._state = _State.WAITING
        # The modal this request put on screen, as Slack stored it (its id and hash, for views.update).
        self._on_screen: dict[str, Any] | None = None
        self._changed = threading.Condition()
        self._acknowledged = False  # the placeholder waits for the listener's plain ack()
        self._timer: threading.Thread | None = None

    # --- what a listener calls ---------------------------------------------------------------------

    def open(self, view: dict[str, Any]) -> dict[str, Any] | None:
        """Show `view`: open it on the trigger, or replace the placeholder already on screen.

        Returns the view as Slack stored it, or None when the person had closed the placeholder."""
        with self._changed:
            while self._state is _State.SENDING:
                self._changed.wait()
            placeholder, self._state = self._on_screen, _State.DONE
            self._changed.notify_all()
        if placeholder is None:
            opener = self._client.views_push if self._push else self._client.views_open
            shown: dict[str, Any] | None = dict(opener(trigger_id=self._trigger_id, view=view)["view"])
        else:
            shown = self._replace(placeholder, view)
        with self._changed:
            self._on_screen = shown
        return shown

    def not_needed(self) -> None:
        """The listener answers in words: no placeholder goes out from now on."""
        self.placeholder_or_stop()

    def acknowledged(self) -> None:
        """The request was acknowledged without words: the placeholder may go out when it is due."""
        with self._changed:
            self._acknowledged = True
            self._changed.notify_all()

    # --- what answers.py and the directory call ----------------------------------------------------

    def placeholder_or_stop(self) -> bool:
        """True when a placeholder is (or is going) on screen; else no placeholder will ever go out."""
        with self._changed:
            if self._state is _State.WAITING:
                self._state = _State.DONE
                self._changed.notify_all()
                return False
            while self._state is _State.SENDING:
                self._changed.wait()
            return self._on_screen is not None

    @contextmanager
    def waiting_on_slack(self) -> Iterator[None]:
        """Around a users.info call: if it hasn't answered within SLOW_LOOKUP_SECONDS, the placeholder goes."""
        with self._changed:
            due = self._due
            self._due = min(due, time.monotonic() + SLOW_LOOKUP_SECONDS)
            self._changed.notify_all()
        try:
            yield
        finally:
            with self._changed:
                self._due = due

    def start(self) -> None:
        """Start the timer that sends the placeholder when it is due (unless the listener is done by then)."""
        if not self._trigger_id:
            self._state = _State.DONE
            return
        # In a copy of the request's context variables, so its log lines keep the request id.
        run_in_context = contextvars.copy_context().run
        self._timer = threading.Thread(
            target=run_in_context, args=(self._send_when_due,), name="modal-placeholder", daemon=True
        )
        self._timer.start()

    def finish(self) -> None:
        """The listener has returned: stop the timer; a placeholder nobody replaced says so rather than spin."""
        with self._changed:
            while self._state is _State.SENDING:
                self._changed.wait()
            placeholder = self._on_screen if self._state is _State.SHOWN else None
            self._state = _State.DONE
            self._changed.notify_all()
        if placeholder is not None:
            log.warning("A placeholder was left with nothing to show")
            try:
                self._replace(placeholder, notice_modal(self._title, "There's nothing to open here after all."))
            except SLACK_FAILURES as exc:  # the listener is done: nothing to raise to
                log.warning("Could not close a placeholder modal: %s", failure_reason(exc))

    def show_notice(self, title: str, text: str) -> None:
        """A refusal or failure shown in a modal: in the placeholder if it is on screen, else newly opened."""
        self.open(notice_modal(title, text))

    # --- the timer ---------------------------------------------------------------------------------

    def _send_when_due(self) -> None:
        with self._changed:
            while self._state is _State.WAITING:
                left = self._due - time.monotonic()
                if left <= 0 and self._acknowledged:
                    self._state = _State.SENDING
                    break
                self._changed.wait(left if left > 0 else None)
            if self._state is not _State.SENDING:
                return
        sent: dict[str, Any] | None = None
        try:
            opener = self._client.views_push if self._push else self._client.views_open
            sent = dict(opener(trigger_id=self._trigger_id, view=placeholder_modal(self._title))["view"])
        except SLACK_FAILURES as exc:
            # The listener's own views.open will meet the same trigger and answer as it always has.
            log.warning("Could not show a placeholder modal: %s", failure_reason(exc))
        with self._changed:
            self._on_screen = sent
            # Without a placeholder the listener's own views.open goes ahead as if none had been tried.
            self._state = _State.SHOWN if sent is not None else _State.DONE
            self._changed.notify_all()

    def _replace(self, placeholder: dict[str, Any], view: dict[str, Any]) -> dict[str, Any] | None:
        try:
            response = self._client.views_update(view_id=placeholder["id"], hash=placeholder.get("hash"), view=view)
        except SlackApiError as exc:
            if exc.response.get("error") == "not_found":  # they closed the placeholder: nothing to show it in
                log.info("The placeholder modal was closed before the form was ready")
                return None
            raise
        return dict(response["view"])
