"""How a listener's `DomainError` becomes the reply: written once here, applied to every listener.

Bolt's global middleware runs before a listener and cannot see what the listener raises: listeners run in
Bolt's thread pool, and once one raises after `ack()`, Bolt throws the acknowledgement away (Slack would
then show its own error). So each listener is wrapped, where it is defined, by one of the decorators
below; the wrapper runs the listener with Bolt's usual keyword injection and answers any `DomainError`
itself, so nothing the person should read ever reaches Bolt's error handler:

* `@answers()` — commands and buttons: an ephemeral reply beside whatever was used (acknowledging first
  if the listener had not). `@answers(notice="Title")` answers in a one-message modal instead: buttons on
  the Home tab have no response_url, and buttons that open a modal answer in one (pushed on top when the
  button is itself inside a modal). A listener that names `modal` among its arguments gets the request's
  `ModalFirst` (handlers/slack/modal_first.py; `opens=` titles its placeholder): once a placeholder is on
  screen, a refusal replaces it with a notice modal instead of an ephemeral reply.
* `@modal_submission(problem_block=…, what=…)` — a modal's Save: `FieldErrors` beside their fields
  (`field_block` turns a field key into its block id), any other refusal beside `problem_block`, and an
  unexpected failure (the database gone, say) keeps the modal open with everything typed. After the
  listener has acknowledged, nothing is raised to Bolt: a failure is logged (with its traceback, never the
  payload) and the modal has already closed.

Both check first what was typed (handlers/slack/typed.py): text with a character that can never be saved
is refused beside its field, or in an ephemeral reply to a command, before the listener reads it.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import time
from collections.abc import Callable
from typing import Any

from slack_bolt.kwargs_injection import Args, build_required_kwargs

from bot.core.errors import DomainError, FieldErrors
from handlers.slack.directory import SlackDirectory
from handlers.slack.modal_first import ModalFirst, PlaceholderTiming
from handlers.slack.pacing import AfterAck, PacedAck
from handlers.slack.replies import SLACK_FAILURES, SORRY, ack_save_failed, field_errors_for_view, notice_modal, say
from handlers.slack.typed import unsavable_command, unsavable_fields

log = logging.getLogger(__name__)

Listener = Callable[..., Any]


def _call(listener: Listener, args: Args) -> Any:
    """Run the listener with the keyword arguments it names, as Bolt itself would; once it has acknowledged,
    it goes on in its turn (handlers/slack/pacing.py), when the app paces work after acks."""
    after_ack = args.context.get("after_ack")
    if not isinstance(after_ack, AfterAck):
        return _call_now(listener, args)
    turn = after_ack.turn()
    ack = args.context.ack  # Bolt's, or the one _run_modal_first wrapped
    args.context["ack"] = PacedAck(ack, turn)
    try:
        return _call_now(listener, args)
    finally:
        args.context["ack"] = ack
        turn.end()


def _call_now(listener: Listener, args: Args) -> Any:
    kwargs = build_required_kwargs(
        logger=args.logger,
        required_arg_names=list(inspect.getfullargspec(listener).args),
        request=args.request,
        response=args.response,
        next_keys_required=False,
    )
    return listener(**kwargs)


def _named_like(wrapper: Callable[[Args], None], listener: Listener) -> Callable[[Args], None]:
    # Not functools.wraps: Bolt would follow __wrapped__ and inject the listener's arguments into the wrapper.
    wrapper.__name__ = listener.__name__
    wrapper.__qualname__ = listener.__qualname__
    wrapper.__module__ = listener.__module__
    wrapper.__doc__ = listener.__doc__
    return wrapper


def answers(*, notice: str | None = None, opens: str | None = None) -> Callable[[Listener], Callable[[Args], None]]:
    """A command or button listener whose `DomainError` is answered ephemerally, or in a notice modal.

    `opens`: what the listener's modal is, as its placeholder's title says it (a listener taking `modal`)."""

    def decorate(listener: Listener) -> Callable[[Args], None]:
        wants_modal = "modal" in inspect.getfullargspec(listener).args
        title = opens or notice or "Opening"

        def run(args: Args) -> None:
            refusal = unsavable_command(args.command)
            if refusal is not None:  # checked before the listener reads a word of it
                args.ack(response_type="ephemeral", text=refusal)
                return
            if not wants_modal:
                try:
                    _call(listener, args)
                except DomainError as exc:
                    _refuse(args, notice, str(exc))
                return
            _run_modal_first(listener, args, title, notice)

        return _named_like(run, listener)

    return decorate


def _refuse(args: Args, notice: str | None, text: str) -> None:
    if args.ack.response is None:
        args.ack()
    if notice is None:
        say(args.respond, text)
    else:
        _show_notice(args, notice, text)


class _AckWithoutModal:
    """Bolt's `ack`: acknowledging with words means the listener answers in words, with no modal; a plain
    ack() lets the placeholder go out when it is due."""

    def __init__(self, ack: Any, modal: ModalFirst) -> None:
        self._ack = ack
        self._modal = modal

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            self._modal.not_needed()
            return self._ack(*args, **kwargs)
        acked = self._ack()
        self._modal.acknowledged()
        return acked

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ack, name)


def _run_modal_first(listener: Listener, args: Args, title: str, notice: str | None) -> None:
    timing = args.context.get("placeholder_timing")
    if not isinstance(timing, PlaceholderTiming):  # a request the middleware did not time: from now on
        timing = PlaceholderTiming(arrived=time.monotonic())
    modal = ModalFirst(args.client, args.body, title=title, timing=timing)
    directory = args.context.get("directory")
    if isinstance(directory, SlackDirectory):
        directory.waiting_on_slack = modal.waiting_on_slack
    args.context["modal"] = modal
    bolt_ack = args.ack
    args.context["ack"] = _AckWithoutModal(bolt_ack, modal)
    if bolt_ack.response is not None:  # acknowledged before the listener ran
        modal.acknowledged()
    modal.start()
    try:
        _call(listener, args)
    except DomainError as exc:
        if modal.placeholder_or_stop():
            if args.ack.response is None:
                args.ack()
            modal.show_notice(notice or title, str(exc))
        else:
            _refuse(args, notice, str(exc))
    except Exception:
        if modal.placeholder_or_stop():
            with contextlib.suppress(*SLACK_FAILURES):
                modal.show_notice(title, SORRY)
        raise
    finally:
        args.context["ack"] = bolt_ack
        modal.finish()


def _show_notice(args: Args, title: str, text: str) -> None:
    body = args.body
    view = notice_modal(title, text)
    if (body.get("container") or {}).get("type") == "view" and (body.get("view") or {}).get("type") == "modal":
        args.client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        args.client.views_open(trigger_id=body["trigger_id"], view=view)


def modal_submission(
    *, problem_block: str, what: str, field_block: Callable[[str], str] = lambda key: key
) -> Callable[[Listener], Callable[[Args], None]]:
    """A modal submission listener: problems before its `ack()` are shown in the modal, beside the fields."""

    def decorate(listener: Listener) -> Callable[[Args], None]:
        def run(args: Args) -> None:
            ack, view = args.ack, args.view or {}
            unsavable = unsavable_fields(view)
            if unsavable:  # checked before the listener reads the modal's state: the form stays open as typed
                ack(response_action="errors", errors=field_errors_for_view(view, unsavable))
                return
            try:
                _call(listener, args)
            except FieldErrors as exc:
                if ack.response is not None:
                    log.warning("A %s could not be shown in a closed modal: %s", what, type(exc).__name__)
                    return
                errors = {field_block(key): message for key, message in exc.errors.items()}
                ack(response_action="errors", errors=field_errors_for_view(view, errors))
            except DomainError as exc:
                if ack.response is not None:
                    log.warning("A refusal could not be shown in a closed modal: %s", type(exc).__name__)
                    return
                ack(response_action="errors", errors=field_errors_for_view(view, {problem_block: str(exc)}))
            except Exception:
                if ack.response is not None:
                    log.error("Failed after saving %s", what, exc_info=True)
                    return
                ack_save_failed(ack, view, problem_block, what)

        return _named_like(run, listener)

    return decorate
