"""Observation messages: the teacher's DM, the observer's confirmation, alerts, notices, history and the
read-only view."""

from __future__ import annotations

from typing import Any

from bot.core.vocabulary import RATING_LABEL, RATING_MARK
from bot.core.words import counted
from bot.observations.forms import FieldKind, FieldRole, FormField, ObservationForm
from bot.observations.service import (
    Readable,
    Recorded,
)
from handlers.observations.ids import (
    ACTIONS_BLOCK,
    EDIT_ACTION,
    REFLECT_ACTION,
    VIEW_ACTION,
    VIEW_BLOCK,
)
from handlers.slack.blocks import (
    MESSAGE_BLOCK_LIMIT,
    SECTION_LIMIT,
    Block,
    button,
    context,
    divider,
    header,
    section,
    sections_for_lines,
    truncate,
    user_text,
)
from handlers.slack.shared_ids import RAISE_FROM_OBSERVATION
from storage.observations import Observation, Rating


def _plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit), "emoji": True}


# --- showing an observation --------------------------------------------------------------------------------
def _lesson_line(observation: Observation) -> str:
    parts = [f"{observation.observed_on:%A %-d %B %Y}"]
    for part in (observation.subject, observation.class_group):
        if part:
            parts.append(user_text(part))
    if observation.pupils:
        parts.append(counted(observation.pupils, "pupil"))
    if observation.duration_minutes:
        parts.append(f"{observation.duration_minutes} min")
    return " · ".join(parts)


def short_label(form_field: FormField) -> str:
    """`1 Set high expectations…` → `1 Set high expectations…` cut to fit one line."""
    return truncate(form_field.label, 70)


def ratings_lines(observation: Observation, form: ObservationForm) -> list[str]:
    lines = []
    for form_field in form.ratings:
        entry = observation.entry(form_field.key)
        if entry is None or entry.rating is None:
            continue
        lines.append(f"{RATING_MARK[entry.rating]} {short_label(form_field)} — _{RATING_LABEL[entry.rating]}_")
    return lines


COMMENT_SHOWN = 600  # characters of each standard's comment in a DM; the rest is one click away


def ratings_with_comments(observation: Observation, form: ObservationForm) -> list[str]:
    """Each rating, then its comment quoted beneath it; a long comment is cut short, visibly."""
    lines = []
    for form_field in form.ratings:
        entry = observation.entry(form_field.key)
        if entry is None or entry.rating is None:
            continue
        lines.append(f"{RATING_MARK[entry.rating]} {short_label(form_field)} — _{RATING_LABEL[entry.rating]}_")
        if entry.text:
            comment = user_text(" ".join(entry.text.split()))
            if len(comment) > COMMENT_SHOWN:
                comment = truncate(comment, COMMENT_SHOWN) + " _(cut short: *See it in full* for the rest)_"
            lines.append(">" + comment)
    return lines


def _labelled(label: str, text: str) -> list[Block]:
    """A bold label and its text, split over two sections only when together they'd pass Slack's limit."""
    text = user_text(text)
    combined = f"*{label}*\n{text}"
    if len(combined) <= SECTION_LIMIT:
        return [section(combined)]
    return [section(f"*{label}*"), section(text)]


def summary_blocks(
    observation: Observation, form: ObservationForm, *, full: bool, comments: bool = False
) -> list[Block]:
    """The observation's content. `full` adds every comment in full and the lesson context (the read-only
    view); `comments` puts each standard's comment, cut to fit, under its rating (the teacher's DM)."""
    blocks: list[Block] = [context(_lesson_line(observation) + f" · {form.name}")]
    if full and observation.focus:
        blocks += _labelled("Lesson context", observation.focus)
    if comments and not full:
        lines = ratings_with_comments(observation, form)
        if lines:
            blocks += sections_for_lines(["*Ratings*", *lines])
    else:
        lines = ratings_lines(observation, form)
        if lines:
            blocks += _labelled("Ratings", "\n".join(lines))
    if full:
        for form_field in form.ratings:
            entry = observation.entry(form_field.key)
            if entry is not None and entry.text:
                blocks += _labelled(f"{short_label(form_field)}: comments", entry.text)
    roles_shown = (FieldRole.STRENGTHS, FieldRole.DEVELOPMENT, FieldRole.CONCERNS, FieldRole.NEXT_STEPS)
    for form_field in form.fields:
        if form_field.kind is not FieldKind.TEXT:
            continue
        if not full and form_field.role not in roles_shown:
            continue
        text = observation.text(form_field.key)
        if text:
            blocks += _labelled(form_field.label, text)
    if observation.on_track is not None:
        verdict = ":white_check_mark: On track" if observation.on_track else ":warning: *Not yet on track*"
        blocks.append(section(f"*On track towards meeting the standards?* {verdict}"))
    if observation.reflection:
        blocks.append(divider())
        blocks += _labelled("Teacher's reflection", observation.reflection)
        if observation.reflection_next_steps:
            blocks += _labelled("Teacher's next steps", observation.reflection_next_steps)
    return blocks


def teacher_message(recorded: Recorded) -> tuple[str, list[Block]]:
    o = recorded.observation
    who = f"<@{o.observer_id}>" + (f" and <@{o.second_observer_id}>" if o.second_observer_id else "")
    blocks: list[Block] = [
        header("Your lesson observation"),
        section(f"{who} observed your lesson. Here is their feedback; add your reflection when you're ready."),
        *summary_blocks(o, recorded.form, full=False, comments=True),
        {
            "type": "actions",
            "block_id": ACTIONS_BLOCK,
            "elements": [
                button("Add your reflection", REFLECT_ACTION, str(o.id), "primary"),
                button("See it in full", VIEW_ACTION, str(o.id)),
            ],
        },
    ]
    return f"{user_text(recorded.observer.display)} observed your lesson on {o.observed_on:%-d %B}", _fit(blocks)


def reflected_message(recorded: Recorded) -> tuple[str, list[Block]]:
    """The teacher's DM once they have reflected: the button gives way to a note."""
    text, blocks = teacher_message(recorded)
    blocks = [b for b in blocks if b.get("block_id") != ACTIONS_BLOCK]
    blocks.append(context(":white_check_mark: You added your reflection. Thank you!"))
    blocks.append(
        {
            "type": "actions",
            "block_id": VIEW_BLOCK,
            "elements": [button("See it in full", VIEW_ACTION, str(recorded.observation.id))],
        }
    )
    return text, _fit(blocks)


def observer_confirmation(recorded: Recorded) -> tuple[str, list[Block]]:
    o = recorded.observation
    text = (
        f"Saved your observation of <@{o.teacher_id}> ({o.observed_on:%-d %B}). They have been sent it to reflect on."
    )
    blocks: list[Block] = [
        section(f":white_check_mark: {text}"),
        context("You can correct it for 7 days."),
        {
            "type": "actions",
            "block_id": ACTIONS_BLOCK,
            "elements": [
                button("Correct it", EDIT_ACTION, str(o.id)),
                button("See it in full", VIEW_ACTION, str(o.id)),
            ],
        },
    ]
    return text, blocks


def lead_alert(recorded: Recorded) -> tuple[str, list[Block]]:
    o = recorded.observation
    reasons = []
    if o.on_track is False:
        reasons.append("*not yet on track*")
    if o.has_concern:
        reasons.append("*a concern*")
    headline = f":warning: <@{o.observer_id}> recorded {' and '.join(reasons)} in an observation of <@{o.teacher_id}>."
    blocks: list[Block] = [section(headline), *summary_blocks(o, recorded.form, full=False)]
    blocks.append(
        {
            "type": "actions",
            "block_id": ACTIONS_BLOCK,
            "elements": [
                button("See it in full", VIEW_ACTION, str(o.id)),
                button("Raise as a concern", RAISE_FROM_OBSERVATION, str(o.id)),
            ],
        }
    )
    return f"{user_text(recorded.teacher.display)}: observation flagged for lead mentor attention", _fit(blocks)


def reflection_notice(recorded: Recorded) -> tuple[str, list[Block]]:
    o = recorded.observation
    text = f"<@{o.teacher_id}> added their reflection to the observation of {o.observed_on:%-d %B}."
    blocks: list[Block] = [section(text)]
    if o.reflection:
        blocks += _labelled("Reflection", o.reflection)
    blocks.append(
        {
            "type": "actions",
            "block_id": ACTIONS_BLOCK,
            "elements": [button("See it in full", VIEW_ACTION, str(o.id))],
        }
    )
    return text, blocks


def correction_notice(observation: Observation, changed: list[str]) -> str:
    what = user_text(", ".join(changed[:8])) + (f" and {len(changed) - 8} more" if len(changed) > 8 else "")
    return f"<@{observation.observer_id}> corrected the observation of {observation.observed_on:%-d %B}: {what}."


def observation_view(readable: Readable) -> dict[str, Any]:
    """The whole observation, read-only, in a modal."""
    o = readable.observation
    observers = user_text(readable.name(o.observer_id)) + (
        f" and {user_text(readable.name(o.second_observer_id))}" if o.second_observer_id else ""
    )
    blocks: list[Block] = [
        section(f"*{user_text(readable.name(o.teacher_id))}*, observed by {observers}"),
        *summary_blocks(o, readable.form, full=True),
    ]
    if readable.can_reflect and not o.reflection:
        blocks.append(
            {
                "type": "actions",
                "block_id": ACTIONS_BLOCK,
                "elements": [button("Add your reflection", REFLECT_ACTION, str(o.id), "primary")],
            }
        )
    elif (o.on_track is False or o.has_concern) and not readable.can_reflect:  # not for the observed teacher
        raise_it = button("Raise as a concern", RAISE_FROM_OBSERVATION, str(o.id))
        blocks.append({"type": "actions", "block_id": ACTIONS_BLOCK, "elements": [raise_it]})
    if len(blocks) > 100:
        blocks = [*blocks[:99], context("This observation is too long to show in full in Slack.")]
    return {"type": "modal", "title": _plain("Observation", 24), "close": _plain("Close", 24), "blocks": blocks}


def history_blocks(teacher_id: str, teacher_name: str, readables: list[Readable]) -> tuple[str, list[Block]]:
    if not readables:
        return f"No observations of {user_text(teacher_name)} yet.", [
            section(f"No observations of <@{teacher_id}> yet.")
        ]
    blocks: list[Block] = [header(truncate(f"Observations of {teacher_name}", 150))]  # plain text: shown as typed
    trend = _trend_lines(readables)
    if trend:
        blocks += _labelled("Ratings over time (oldest → newest)", "\n".join(trend))
    shown = readables[-20:]
    if len(readables) > len(shown):
        blocks.append(context(f"Showing the latest {len(shown)} of {counted(len(readables), 'observation')}."))
    for r in reversed(shown):
        o = r.observation
        flags = []
        if o.on_track is False:
            flags.append(":warning: not on track")
        if o.has_concern:
            flags.append(":warning: concern")
        if o.reflection:
            flags.append("reflected")
        line = f"*{o.observed_on:%-d %b %Y}* · {r.form.name} · by {user_text(r.name(o.observer_id))}"
        if flags:
            line += " · " + ", ".join(flags)
        marks = " ".join(RATING_MARK[e.rating] for e in o.entries if e.rating)
        if marks:
            line += "\n" + marks
        blocks.append({**section(line), "accessory": button("View", VIEW_ACTION, str(o.id))})
    return f"Observations of {user_text(teacher_name)}", _fit(blocks)


def _trend_lines(readables: list[Readable]) -> list[str]:
    by_field: dict[str, tuple[FormField, list[Rating]]] = {}
    for r in readables:
        for form_field in r.form.ratings:
            entry = r.observation.entry(form_field.key)
            if entry is None or entry.rating is None:
                continue
            by_field.setdefault(form_field.key, (form_field, []))[1].append(entry.rating)
    lines = []
    for form_field, ratings in by_field.values():
        marks = " ".join(RATING_MARK[r] for r in ratings[-10:])
        lines.append(f"{short_label(form_field)}: {marks}")
    return lines


def _fit(blocks: list[Block]) -> list[Block]:
    """Keep a message inside Slack's 50 blocks, saying so, and keep its buttons."""
    if len(blocks) <= MESSAGE_BLOCK_LIMIT:
        return blocks
    tail = [blocks[-1]] if blocks[-1]["type"] == "actions" else []
    keep = MESSAGE_BLOCK_LIMIT - 1 - len(tail)
    return [*blocks[:keep], context("There is more: open the observation to read it all."), *tail]
