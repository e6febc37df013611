"""The observation modal (recording and correcting), the reflection modal, and reading what was typed."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.observations.forms import FieldKind, FormField, FormLibrary, ObservationForm
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
    comment_key,
)
from handlers.observations.ids import (
    EDIT_CALLBACK,
    FORM,
    FORM_CHOICE_ACTION,
    OBSERVE_CALLBACK,
    REFLECT_CALLBACK,
    REFLECTION,
    REFLECTION_NEXT_STEPS,
    VALUE,
    field_block_id,
)
from handlers.slack.blocks import (
    Block,
    context,
    header,
    section,
    truncate,
)
from storage.observations import Observation, Rating


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
