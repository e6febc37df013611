"""Everything a person typed is shown as their text: every Block Kit builder in handlers/, fed hostile text.

The builders are enumerated from the modules (a new one is walked without being listed here). Each is called
with arguments made from its type hints: every free-text field (and every name from a Slack profile) holds
text that would be a live disguised link or a mass mention if it reached mrkdwn unescaped; ids stay ids.
Then every mrkdwn text in what comes back (and the notification text beside a message) is read for a live
link or mention that came from the hostile text.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import inspect
import re
import types
import typing
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import DeclarativeBase

from handlers.slack.blocks import section, user_text
from handlers.slack.plain import blocks_as_text
from tests.cross.school import School, Stack, command, modal, seed_school
from tests.support.driver import state_for
from tests.support.observations import full_answers
from tests.support.slack import mention

HOSTILE = (
    "<https://evil.example/sign|Click here to sign off> <!channel> <!here> <!everyone> "
    "<!subteam^S0EVIL|@teachers> <mailto:evil@example.com|HR> <!date^1700000000^{date}|evil> & more"
)
# What must never be inside a live <…> token: each comes only from the hostile text.
HOSTILE_MARKS = ("evil", "channel", "here", "everyone", "subteam", "mailto")
ID = "U0HOSTILE1"
TODAY = date(2026, 12, 2)
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)

ROOT = Path(__file__).resolve().parents[2]
BUILDER_MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts)
    for pattern in ("handlers/*/blocks.py", "handlers/*/modals.py", "handlers/*/pages.py", "handlers/*/delivery.py")
    for p in ROOT.glob(pattern)
    if p.parent.name != "slack"
)
# Not builders: they read what Slack sent, or give small values (labels, dates, options) other builders use.
NOT_BUILDERS = {
    "read_state",
    "read_meeting_state",
    "read_comment",
    "read_target_text",
    "draft_from",
    "paged",
    "worker_name",
    "standard_label",
    "short_label",
    "short_date",
    "slack_date",
    "standards_options",
    "standards_select",
    "datepicker",
    "read_reflection_state",
    "read_training_state",
    "read_comment_state",
    "read_tick_state",
    "read_outcome_state",
    "read_visit",
    "read_walk",
}


def builders() -> list[tuple[str, Callable[..., Any]]]:
    found: list[tuple[str, Callable[..., Any]]] = []
    for name in BUILDER_MODULES:
        module = importlib.import_module(name)
        for attr, fn in vars(module).items():
            if (
                inspect.isfunction(fn)
                and fn.__module__ == name
                and not attr.startswith("_")
                and attr not in NOT_BUILDERS
            ):
                found.append((f"{name.removeprefix('handlers.')}.{attr}", fn))
    return found


# --- making hostile arguments from type hints -------------------------------------------------------------------

_ID_NAMES = re.compile(
    r"(^|_)(id|ids|by|key|channel|ts|tz|email|week|code|codes|standards|kind|admins|mentors|mentees)$|^(team|user|about)$"
)


# Text the bot itself writes (a problem it explains, a usage line, a check's advice, an audit action code, why a
# review schedule is missing). The digest's day and time are settings the operator chose, checked at start-up.
BOT_TEXT = {
    "problem",
    "usage",
    "label",
    "why",
    "action",
    "record_type",
    "prompt",
    "digest_day",
    "digest_time",
    "missing",
}


def _is_id(name: str) -> bool:
    return bool(_ID_NAMES.search(name))


def make(hint: Any, name: str = "") -> Any:
    """A value of type `hint`; text fields hold HOSTILE, id-like fields (by name) a plain Slack id."""
    special = _SPECIAL.get(hint)
    if special is not None:
        return special()
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        chosen = [a for a in args if a is not type(None)]
        return make(chosen[0], name)
    if origin is typing.Literal:
        return args[0]
    if origin in (list, Sequence, typing.Sequence, set, frozenset):
        return [make(args[0] if args else str, name)] * 2
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return (make(args[0], name),) * 2
        return tuple(make(a, name) for a in args)
    if origin is dict:
        key, value = args
        if name == "figures":
            return _figures()
        if value is Any:
            return {"hostile": HOSTILE}
        return {make(key, "key"): make(value, name)}
    if hint is str:
        return ID if _is_id(name) else "Written by the bot." if name in BOT_TEXT else HOSTILE
    if hint is bool:
        return True
    if hint is int:
        return 2
    if hint is float:
        return 0.5
    if hint is datetime:
        return NOW
    if hint is date:
        return TODAY
    if hint is timedelta:
        return timedelta(days=1)
    if hint is ZoneInfo:
        return ZoneInfo("Europe/London")
    if hint is Any or hint is object:
        return HOSTILE
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return list(hint)[-1]
    if isinstance(hint, type) and issubclass(hint, DeclarativeBase):
        return _model(hint)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        hints = typing.get_type_hints(hint)
        return hint(**{f.name: make(hints[f.name], f.name) for f in dataclasses.fields(hint) if f.init})
    raise TypeError(f"no hostile value for {hint!r} ({name})")


def _figures() -> dict[str, Any]:
    """A review's figures (bot/reviews/draft.py, build_figures) from records whose every typed text is hostile."""
    day = TODAY.isoformat()
    target = {
        "text": HOSTILE,
        "due": day,
        "status": "open",
        "standards": ["1"],
        "set": day,
        "closed": day,
        "carried": 1,
    }
    quote = {"date": day, "text": HOSTILE}
    return {
        "period": {"start": day, "end": day},
        "meetings": {"held": 2, "expected": 3, "cadence": "weekly", "signed_off": 1, "dates": [day]},
        "targets": {"set": [target], "met": [target], "carried": [target], "not_met": [target], "open": 1},
        "observations": [{"date": day, "form": "ect", "on_track": True}] * 2,
        "standards": [{"code": "1", "label": "1 High expectations", "ratings": ["F", "P"], "trend": "improving"}],
        "strengths": [quote],
        "development": [quote],
        "concerns": [quote],
        "reflections": [quote],
        "no_evidence": ["2"],
        "empty": False,
    }


def _model(cls: type) -> Any:
    mapper: Any = sa_inspect(cls)
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for attr in mapper.column_attrs:
        hint = hints.get(attr.key)
        inner = typing.get_args(hint)[0] if hint is not None and typing.get_args(hint) else str
        values[attr.key] = ["1", "2"] if attr.key == "standards" else make(inner, attr.key)
    for rel in mapper.relationships:
        if rel.uselist and rel.mapper.class_.__name__ == "ObservationEntry":
            continue  # filled below, one per field of the form
        if not rel.uselist:
            continue
        values[rel.key] = [_model(rel.mapper.class_)]
    instance = cls(**values)
    if cls.__name__ == "Observation":
        instance.form_key = _form().key
        instance.entries = _entries(cls)
    return instance


def _form() -> Any:
    from bot.observations.forms import load_forms

    return next(iter(load_forms()))


def _entries(observation_cls: type) -> list[Any]:
    from storage.observations import ObservationEntry, Rating

    return [
        ObservationEntry(key=f.key, position=i, rating=Rating.NOT_DEMONSTRATED, text=HOSTILE)
        for i, f in enumerate(_form().fields)
    ]


def _forms() -> Any:
    from bot.observations.forms import load_forms

    return load_forms()


def _pages() -> Any:
    from handlers.home.pages import Pages

    return Pages()


_SPECIAL: dict[Any, Callable[[], Any]] = {}


def _passed() -> Any:
    from bot.core.due_dates.phrases import PassedDateError

    return PassedDateError(HOSTILE, TODAY - timedelta(days=2), date(2027, 11, 30), today=TODAY, rest=HOSTILE)


def _register_specials() -> None:
    from bot.core.due_dates.phrases import PassedDateError
    from bot.observations.forms import FormLibrary, ObservationForm
    from handlers.home.pages import Pages

    _SPECIAL.update({FormLibrary: _forms, ObservationForm: _form, Pages: _pages, PassedDateError: _passed})


def call_with_hostile_text(fn: Callable[..., Any]) -> Any:
    hints = typing.get_type_hints(fn)
    kwargs = {}
    for param in inspect.signature(fn).parameters.values():
        if param.default is not inspect.Parameter.empty and param.name not in ("draft", "pages", "previous"):
            continue
        kwargs[param.name] = make(hints[param.name], param.name)
    return fn(**kwargs)


# --- reading what came back ----------------------------------------------------------------------------------------


def mrkdwn_texts(built: Any, key: str = "") -> list[str]:
    """Every string Slack renders as mrkdwn: mrkdwn text objects, and a message's notification text."""
    found: list[str] = []
    if isinstance(built, str):
        return [built]
    if isinstance(built, tuple):
        for part in built:
            found += mrkdwn_texts(part)
        return found
    if isinstance(built, list):
        for item in built:
            found += mrkdwn_texts(item)
        return found
    if dataclasses.is_dataclass(built):
        for f in dataclasses.fields(built):
            found += mrkdwn_texts(getattr(built, f.name))
        return found
    if isinstance(built, dict):
        if built.get("type") == "mrkdwn" and isinstance(built.get("text"), str):
            found.append(built["text"])
        for k, value in built.items():
            if k in ("private_metadata", "value", "action_id", "block_id", "callback_id"):
                continue
            if isinstance(value, dict | list):
                found += mrkdwn_texts(value, k)
        return found
    return found


def live_hostile_tokens(text: str) -> list[str]:
    tokens = re.findall(r"<[^<>]*>", text)
    return [t for t in tokens if any(mark in t.lower() for mark in HOSTILE_MARKS)]


def test_the_helper_shows_typed_text_as_text() -> None:
    shown = user_text(HOSTILE)
    assert live_hostile_tokens(shown) == []
    assert "&lt;https://evil.example/sign|Click here to sign off&gt;" in shown
    assert "&lt;!channel&gt;" in shown and "&amp; more" in shown
    # A person or channel named by id shows their own name in Slack, whatever label is typed: it stays live.
    assert user_text("with <@U0AMY|amy> in <#C0STAFF|staffroom>") == "with <@U0AMY|amy> in <#C0STAFF|staffroom>"
    assert user_text("<@U0AMY|<!channel>") == "&lt;@U0AMY|&lt;!channel&gt;"
    assert user_text(None) == ""


def test_an_operators_terminal_preview_shows_typed_text_as_typed() -> None:
    assert blocks_as_text([section(user_text("Ben's Y5 <set> & more"))]) == "Ben's Y5 <set> & more\n"


_register_specials()
BUILDERS = builders()


def test_every_builder_module_is_walked() -> None:
    walked = {name.split(".")[0] for name, _ in BUILDERS}
    assert walked >= {"observations", "meetings", "targets", "home", "digests", "roster", "reviews"}
    assert len(BUILDERS) >= 30
    with_text = [name for name, builder in BUILDERS if mrkdwn_texts(call_with_hostile_text(builder))]
    assert len(with_text) >= len(BUILDERS) - 8  # only a few (a pager, comment and plan forms) have no mrkdwn at all


@pytest.mark.parametrize(("name", "builder"), BUILDERS, ids=[name for name, _ in BUILDERS])
def test_no_live_link_or_mention_survives_a_builder(name: str, builder: Callable[..., Any]) -> None:
    built = call_with_hostile_text(builder)
    texts = mrkdwn_texts(built)
    live = [token for text in texts for token in live_hostile_tokens(text)]
    where = [text for text in texts if live_hostile_tokens(text)]
    assert live == [], f"{name} let typed text through as live links or mentions: {live[:3]} in {where[:2]}"


# --- through Slack: what the teacher, the lead and a mentee are sent ---------------------------------------------


@pytest.fixture
def school(fresh: Stack) -> School:
    return seed_school(fresh.deps, fresh.emulator)


def _observation_form(stack: Stack, school: School) -> dict[str, Any]:
    p = school.people
    return modal(stack.slack, lambda: stack.slack.command("/observe", mention(p.mentee), user=p.mentor), "/observe")


def _everything_shown(messages: list[dict[str, Any]]) -> list[str]:
    return [text for message in messages for text in [str(message.get("text", "")), *mrkdwn_texts(message["blocks"])]]


def test_an_observation_typed_with_links_and_mentions_reaches_teacher_and_lead_as_typed(
    fresh: Stack, school: School
) -> None:
    p = school.people
    view = _observation_form(fresh, school)
    answers = full_answers(
        subject=HOSTILE[:100],
        focus=HOSTILE,
        **{"field:strengths": HOSTILE, "field:on_track": "no", "comment:standard_3": HOSTILE},
    )

    result = fresh.slack.submit(view, state_for(view, answers), user=p.mentor)

    assert result.status == 200 and not result.body
    fresh.settle()
    to_teacher = fresh.emulator.messages_to(p.mentee)
    to_lead = fresh.emulator.messages_to(p.lead)
    assert to_teacher and to_lead
    shown = _everything_shown(to_teacher + to_lead)
    assert [token for text in shown for token in live_hostile_tokens(text)] == []
    assert any("&lt;https://evil.example/sign|Click here to sign off&gt;" in text for text in shown)


def test_a_target_typed_with_at_channel_notifies_no_one(fresh: Stack, school: School) -> None:
    p = school.people
    # As Slack sends "/target @ben @channel read <https://evil|this> by Friday" with should_escape on.
    typed = f"{mention(p.mentee)} <!channel> read &lt;https://evil.example|this&gt; <!subteam^S0EVIL|@all> by Friday"

    reply = command(fresh.slack, "/target", typed, user=p.mentor)

    assert "read" in reply
    assert live_hostile_tokens(reply) == []
    assert "&lt;!channel&gt;" in reply and "&lt;https://evil.example|this&gt;" in reply


@pytest.mark.parametrize("due", ["by <!here>", "by <https://evil.example|Friday>", "by <!subteam^S0EVIL|@all> 31/02"])
def test_date_words_quoted_back_in_a_refusal_notify_no_one(due: str, fresh: Stack, school: School) -> None:
    p = school.people

    reply = command(fresh.slack, "/target", f"{mention(p.mentee)} Mark books {due}", user=p.mentor)

    assert live_hostile_tokens(reply) == []
