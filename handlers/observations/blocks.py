"""Block Kit for observations: the form modal, the teacher's DM, alerts, history and the read-only view."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.observations.forms import FieldKind, FieldRole, FormField, FormLibrary, ObservationForm
from bot.observations.service import (
    CLASS_GROUP,
    DATE,
    DURATION,
    FOCUS,
    PUPILS,
    RATING_LABEL,
    SECOND_OBSERVER,
    SHORT_LIMIT,
    SUBJECT,
    TEACHER,
    TEXT_LIMIT,
    ObservationDraft,
    Readable,
    Recorded,
    comment_key,
)
from handlers.concerns.ids import FROM_OBSERVATION as RAISE_AS_CONCERN
from handlers.slack.blocks import (
    MESSAGE_BLOCK_LIMIT,
    SECTION_LIMIT,
    Block,
    button,
    context,
    divider,
    header,
    section,
    truncate,
)
from storage.observations import Observation, Rating

OBSERVE_CALLBACK = "observation_submit"
EDIT_CALLBACK = "observation_edit"
REFLECT_CALLBACK = "observation_reflect"
FORM_CHOICE_ACTION = "observation_form_choice"
REFLECT_ACTION = "observation_reflect_open"
VIEW_ACTION = "observation_view"
EDIT_ACTION = "observation_edit_open"
VALUE = "value"
FORM = "form"
REFLECTION, REFLECTION_NEXT_STEPS = "reflection", "reflection_next_steps"

RATING_MARK = {
    Rating.NOT_APPLICABLE: ":heavy_minus_sign:",
    Rating.NOT_DEMONSTRATED: ":red_circle:",
    Rating.PARTLY: ":large_yellow_circle:",
    Rating.FULLY: ":large_green_circle:",
}
LESSON_KEYS = {TEACHER, FORM, DATE, SUBJECT, CLASS_GROUP, PUPILS, DURATION, FOCUS, SECOND_OBSERVER}


def field_block_id(key: str) -> str:
    """Where a service's field-error key shows in the modal."""
    if key in LESSON_KEYS or key.startswith("comment:"):
        return key
    return f"field:{key}"


def _plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit), "emoji": True}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(text), "value": value}


def _input(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
    dispatch: bool = False,
    action_id: str = VALUE,
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label, 2000),
        "element": {**element, "action_id": action_id},
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint, 2000)
    if dispatch:
        block["dispatch_action"] = True
    return block


def _text_element(initial: str | None, *, multiline: bool, max_length: int, placeholder: str | None = None) -> dict:
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline, "max_length": max_length}
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = _plain(placeholder, 150)
    return element


def _number_element(initial: int | None, minimum: int, maximum: int) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "number_input",
        "is_decimal_allowed": False,
        "min_value": str(minimum),
        "max_value": str(maximum),
    }
    if initial is not None:
        element["initial_value"] = str(initial)
    return element


RATING_VALUES = frozenset(r.value for r in Rating)
RATING_OPTIONS = [_option(RATING_LABEL[r], r.value) for r in Rating]
YES_NO_OPTIONS = [_option("Yes", "yes"), _option("No", "no")]


def observation_modal(
    forms: FormLibrary,
    form: ObservationForm,
    *,
    teacher_id: str | None,
    today: date,
    draft: ObservationDraft | None = None,
    edit_of: int | None = None,
) -> dict[str, Any]:
    """The observation form; `teacher_id` when already chosen; `draft` pre-fills a correction or a form switch."""
    d = draft
    blocks: list[Block] = []
    if teacher_id is None:
        element: dict[str, Any] = {"type": "users_select", "placeholder": _plain("Choose the teacher")}
        if d and d.teacher_id:
            element["initial_user"] = d.teacher_id
        blocks.append(_input(TEACHER, "Teacher observed", element))
    else:
        blocks.append(section(f"*Teacher observed:* <@{teacher_id}>"))
    if len(forms) > 1 and edit_of is None:
        options = [_option(f.name, f.key) for f in forms]
        chosen = next(o for o in options if o["value"] == form.key)
        blocks.append(
            _input(
                FORM,
                "Observation form",
                {"type": "static_select", "options": options, "initial_option": chosen},
                dispatch=True,
                action_id=FORM_CHOICE_ACTION,
                hint=form.description or None,
            )
        )
    blocks.append(
        _input(
            DATE,
            "Date of the lesson",
            {"type": "datepicker", "initial_date": (d.observed_on if d and d.observed_on else today).isoformat()},
        )
    )
    blocks.append(
        _input(
            SUBJECT,
            "Subject",
            _text_element(d.subject if d else None, multiline=False, max_length=SHORT_LIMIT),
            optional=True,
        )
    )
    blocks.append(
        _input(
            CLASS_GROUP,
            "Class / year group",
            _text_element(
                d.class_group if d else None, multiline=False, max_length=SHORT_LIMIT, placeholder="e.g. Year 5, 9X2"
            ),
            optional=True,
        )
    )
    blocks.append(_input(PUPILS, "Number of pupils", _number_element(d.pupils if d else None, 1, 200), optional=True))
    blocks.append(
        _input(
            DURATION, "Duration (minutes)", _number_element(d.duration_minutes if d else None, 5, 480), optional=True
        )
    )
    blocks.append(
        _input(
            FOCUS,
            "Lesson context / focus",
            _text_element(d.focus if d else None, multiline=True, max_length=TEXT_LIMIT),
            optional=True,
        )
    )
    second: dict[str, Any] = {"type": "users_select", "placeholder": _plain("For a joint observation")}
    if d and d.second_observer_id:
        second["initial_user"] = d.second_observer_id
    blocks.append(
        _input(SECOND_OBSERVER, "Second observer", second, optional=True, hint="For moderation, e.g. the lead mentor.")
    )

    group = None
    for form_field in form.fields:
        if form_field.group and form_field.group != group:
            group = form_field.group
            blocks.append(header(group))
        blocks.extend(_field_blocks(form_field, d))

    metadata = {"form": form.key, "teacher": teacher_id, "edit": edit_of}
    return {
        "type": "modal",
        "callback_id": EDIT_CALLBACK if edit_of is not None else OBSERVE_CALLBACK,
        "title": _plain("Correct observation" if edit_of is not None else "Lesson observation", 24),
        "submit": _plain("Save", 24),
        "close": _plain("Cancel", 24),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }


def _field_blocks(form_field: FormField, d: ObservationDraft | None) -> list[Block]:
    block_id = field_block_id(form_field.key)
    optional = not form_field.required
    if form_field.kind is FieldKind.RATING:
        element: dict[str, Any] = {"type": "static_select", "options": RATING_OPTIONS, "placeholder": _plain("Rating")}
        rating = d.ratings.get(form_field.key) if d else None
        if rating is not None:
            element["initial_option"] = _option(RATING_LABEL[rating], rating.value)
        comment = d.comments.get(form_field.key) if d else None
        return [
            _input(block_id, form_field.label, element, optional=optional, hint=form_field.help),
            _input(
                comment_key(form_field.key),
                "Comments",
                _text_element(comment, multiline=True, max_length=TEXT_LIMIT),
                optional=True,
            ),
        ]
    if form_field.kind is FieldKind.YES_NO:
        radio: dict[str, Any] = {"type": "radio_buttons", "options": YES_NO_OPTIONS}
        if d and d.on_track is not None:
            radio["initial_option"] = YES_NO_OPTIONS[0] if d.on_track else YES_NO_OPTIONS[1]
        return [_input(block_id, form_field.label, radio, optional=optional, hint=form_field.help)]
    text = d.texts.get(form_field.key) if d else None
    return [
        _input(
            block_id,
            form_field.label,
            _text_element(text, multiline=True, max_length=TEXT_LIMIT),
            optional=optional,
            hint=form_field.help,
        )
    ]


def read_state(values: dict[str, dict[str, Any]], form: ObservationForm, metadata: dict[str, Any]) -> ObservationDraft:
    """What was typed into the modal, as Slack sends it in view.state.values."""

    def value(block_id: str) -> dict[str, Any]:
        return values.get(block_id, {}).get(VALUE) or {}

    def text(block_id: str) -> str | None:
        raw = value(block_id).get("value")
        return raw if isinstance(raw, str) and raw.strip() else None

    def number(block_id: str) -> int | None:
        raw = value(block_id).get("value")
        try:
            return int(raw) if raw not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def selected(block_id: str) -> str | None:
        option = value(block_id).get("selected_option")
        return option.get("value") if isinstance(option, dict) else None

    picked_date = value(DATE).get("selected_date")
    ratings: dict[str, Rating | None] = {}
    comments: dict[str, str | None] = {}
    texts: dict[str, str | None] = {}
    on_track = None
    for form_field in form.fields:
        block_id = field_block_id(form_field.key)
        if form_field.kind is FieldKind.RATING:
            chosen = selected(block_id)
            ratings[form_field.key] = Rating(chosen) if chosen in RATING_VALUES else None
            comments[form_field.key] = text(comment_key(form_field.key))
        elif form_field.kind is FieldKind.YES_NO:
            answer = selected(block_id)
            on_track = None if answer is None else answer == "yes"
        else:
            texts[form_field.key] = text(block_id)
    return ObservationDraft(
        teacher_id=metadata.get("teacher") or value(TEACHER).get("selected_user"),
        form_key=form.key,
        observed_on=date.fromisoformat(picked_date) if picked_date else None,
        subject=text(SUBJECT),
        class_group=text(CLASS_GROUP),
        pupils=number(PUPILS),
        duration_minutes=number(DURATION),
        focus=text(FOCUS),
        second_observer_id=value(SECOND_OBSERVER).get("selected_user"),
        ratings=ratings,
        comments=comments,
        texts=texts,
        on_track=on_track,
    )


def draft_from(observation: Observation, form: ObservationForm) -> ObservationDraft:
    """A stored observation as a draft, to pre-fill the correction modal."""
    ratings: dict[str, Rating | None] = {}
    comments: dict[str, str | None] = {}
    texts: dict[str, str | None] = {}
    for form_field in form.fields:
        entry = observation.entry(form_field.key)
        if form_field.kind is FieldKind.RATING:
            ratings[form_field.key] = entry.rating if entry else None
            comments[form_field.key] = entry.text if entry else None
        elif form_field.kind is FieldKind.TEXT:
            texts[form_field.key] = entry.text if entry else None
    return ObservationDraft(
        teacher_id=observation.teacher_id,
        form_key=observation.form_key,
        observed_on=observation.observed_on,
        subject=observation.subject,
        class_group=observation.class_group,
        pupils=observation.pupils,
        duration_minutes=observation.duration_minutes,
        focus=observation.focus,
        second_observer_id=observation.second_observer_id,
        ratings=ratings,
        comments=comments,
        texts=texts,
        on_track=observation.on_track,
    )


# --- showing an observation --------------------------------------------------------------------------------
def _lesson_line(observation: Observation) -> str:
    parts = [f"{observation.observed_on:%A %-d %B %Y}"]
    for part in (observation.subject, observation.class_group):
        if part:
            parts.append(part)
    if observation.pupils:
        parts.append(f"{observation.pupils} pupils")
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


def _labelled(label: str, text: str) -> list[Block]:
    """A bold label and its text, split over two sections only when together they'd pass Slack's limit."""
    combined = f"*{label}*\n{text}"
    if len(combined) <= SECTION_LIMIT:
        return [section(combined)]
    return [section(f"*{label}*"), section(text)]


def summary_blocks(observation: Observation, form: ObservationForm, *, full: bool) -> list[Block]:
    """The observation's content. `full` adds every comment and the lesson context (the read-only view)."""
    blocks: list[Block] = [context(_lesson_line(observation) + f" · {form.name}")]
    if full and observation.focus:
        blocks += _labelled("Lesson context", observation.focus)
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
        *summary_blocks(o, recorded.form, full=False),
        {
            "type": "actions",
            "block_id": "observation_actions",
            "elements": [
                button("Add your reflection", REFLECT_ACTION, str(o.id), "primary"),
                button("See it in full", VIEW_ACTION, str(o.id)),
            ],
        },
    ]
    return f"{recorded.observer.display} observed your lesson on {o.observed_on:%-d %B}", _fit(blocks)


def reflected_message(recorded: Recorded) -> tuple[str, list[Block]]:
    """The teacher's DM once they have reflected: the button gives way to a note."""
    text, blocks = teacher_message(recorded)
    blocks = [b for b in blocks if b.get("block_id") != "observation_actions"]
    blocks.append(context(":white_check_mark: You added your reflection. Thank you!"))
    blocks.append(
        {
            "type": "actions",
            "block_id": "observation_view",
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
            "block_id": "observation_actions",
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
            "block_id": "observation_actions",
            "elements": [
                button("See it in full", VIEW_ACTION, str(o.id)),
                button("Raise as a concern", RAISE_AS_CONCERN, str(o.id)),
            ],
        }
    )
    return f"{recorded.teacher.display}: observation flagged for lead mentor attention", _fit(blocks)


def reflection_notice(recorded: Recorded) -> tuple[str, list[Block]]:
    o = recorded.observation
    text = f"<@{o.teacher_id}> added their reflection to the observation of {o.observed_on:%-d %B}."
    blocks: list[Block] = [section(text)]
    if o.reflection:
        blocks += _labelled("Reflection", o.reflection)
    blocks.append(
        {
            "type": "actions",
            "block_id": "observation_actions",
            "elements": [button("See it in full", VIEW_ACTION, str(o.id))],
        }
    )
    return text, blocks


def correction_notice(observation: Observation, changed: list[str]) -> str:
    what = ", ".join(changed[:8]) + (f" and {len(changed) - 8} more" if len(changed) > 8 else "")
    return f"<@{observation.observer_id}> corrected the observation of {observation.observed_on:%-d %B}: {what}."


def reflection_modal(
    observation_id: int,
    observed_on: date,
    observer_name: str,
    reflection: str | None = None,
    next_steps: str | None = None,
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": REFLECT_CALLBACK,
        "title": _plain("Your reflection", 24),
        "submit": _plain("Save", 24),
        "close": _plain("Cancel", 24),
        "private_metadata": json.dumps({"observation": observation_id}),
        "blocks": [
            context(f"Observation by {observer_name} on {observed_on:%A %-d %B %Y}"),
            _input(
                REFLECTION,
                "Your reflection",
                _text_element(
                    reflection,
                    multiline=True,
                    max_length=TEXT_LIMIT,
                    placeholder="What went well? What would you change?",
                ),
            ),
            _input(
                REFLECTION_NEXT_STEPS,
                "Your next steps",
                _text_element(next_steps, multiline=True, max_length=TEXT_LIMIT),
                optional=True,
            ),
        ],
    }


def observation_view(readable: Readable) -> dict[str, Any]:
    """The whole observation, read-only, in a modal."""
    o = readable.observation
    observers = readable.name(o.observer_id) + (
        f" and {readable.name(o.second_observer_id)}" if o.second_observer_id else ""
    )
    blocks: list[Block] = [
        section(f"*{readable.name(o.teacher_id)}*, observed by {observers}"),
        *summary_blocks(o, readable.form, full=True),
    ]
    if readable.can_reflect and not o.reflection:
        blocks.append(
            {
                "type": "actions",
                "block_id": "observation_actions",
                "elements": [button("Add your reflection", REFLECT_ACTION, str(o.id), "primary")],
            }
        )
    elif (o.on_track is False or o.has_concern) and not readable.can_reflect:  # not for the observed teacher
        raise_it = button("Raise as a concern", RAISE_AS_CONCERN, str(o.id))
        blocks.append({"type": "actions", "block_id": "observation_actions", "elements": [raise_it]})
    if len(blocks) > 100:
        blocks = [*blocks[:99], context("This observation is too long to show in full in Slack.")]
    return {"type": "modal", "title": _plain("Observation", 24), "close": _plain("Close", 24), "blocks": blocks}


def history_blocks(teacher_id: str, teacher_name: str, readables: list[Readable]) -> tuple[str, list[Block]]:
    if not readables:
        return f"No observations of {teacher_name} yet.", [section(f"No observations of <@{teacher_id}> yet.")]
    blocks: list[Block] = [header(truncate(f"Observations of {teacher_name}", 150))]
    trend = _trend_lines(readables)
    if trend:
        blocks += _labelled("Ratings over time (oldest → newest)", "\n".join(trend))
    shown = readables[-20:]
    if len(readables) > len(shown):
        blocks.append(context(f"Showing the latest {len(shown)} of {len(readables)} observations."))
    for r in reversed(shown):
        o = r.observation
        flags = []
        if o.on_track is False:
            flags.append(":warning: not on track")
        if o.has_concern:
            flags.append(":warning: concern")
        if o.reflection:
            flags.append("reflected")
        line = f"*{o.observed_on:%-d %b %Y}* · {r.form.name} · by {r.name(o.observer_id)}"
        if flags:
            line += " · " + ", ".join(flags)
        marks = " ".join(RATING_MARK[e.rating] for e in o.entries if e.rating)
        if marks:
            line += "\n" + marks
        blocks.append({**section(line), "accessory": button("View", VIEW_ACTION, str(o.id))})
    return f"Observations of {teacher_name}", _fit(blocks)


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
