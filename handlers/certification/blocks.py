"""Block Kit for mentor certification: the reflection and training modals, a lead mentor's comment, tick and
panel-outcome modals, the portfolio and register replies, and the mentor's section of the Home tab."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.certification.service import (
    COMMENT,
    CRITERION,
    HELD_ON,
    HOURS,
    LEVEL,
    MORE,
    NOTE,
    NOTE_LIMIT,
    OUTCOME,
    PANEL_ON,
    PROVIDER,
    PROVIDER_LIMIT,
    QUOTE,
    QUOTE_LIMIT,
    RECORDS,
    REFLECTION,
    STANDARDS,
    TEXT,
    TEXT_LIMIT,
    TICKED_ON,
    TOPIC,
    Progress,
    ReflectionDraft,
    ReflectionForm,
    RegisterRow,
    TrainingDraft,
    hours_text,
)
from handlers.certification import ids
from handlers.slack.blocks import (
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
from storage.certification import PanelOutcome

VALUE = "value"
OPTIONS_LIMIT = 100
OUTCOME_LABEL = {PanelOutcome.AWARDED: "Awarded at this level", PanelOutcome.MORE_EVIDENCE: "More evidence requested"}
STANDARDS_ON_HOME = 4


def _plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit)}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(text), "value": value}


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str = "") -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label, 2000),
        "element": {**element, "action_id": VALUE},
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint, 2000)
    return block


def _text(limit: int, *, multiline: bool = True) -> dict[str, Any]:
    return {"type": "plain_text_input", "multiline": multiline, "max_length": limit}


def _date(initial: date | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker"}
    if initial:
        element["initial_date"] = initial.isoformat()
    return element


def _modal(callback_id: str, title: str, blocks: list[Block], metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(title, 24),
        "submit": _plain("Save", 24),
        "close": _plain("Cancel", 24),
        "private_metadata": json.dumps(metadata or {}),
        "blocks": blocks,
    }


# --- the mentor's own evidence ----------------------------------------------------------------------------------
def reflection_modal(form: ReflectionForm) -> dict[str, Any]:
    standards = [_option(f"{s.key}. {s.title}", s.key) for s in form.standards]
    blocks: list[Block] = [
        section(
            "A reflection for your certification portfolio: tell the story of your mentoring, in your own words. "
            "Your meetings, observations and targets are gathered as evidence already: there's nothing to copy in."
        ),
        _input(TEXT, "Your reflection", _text(TEXT_LIMIT), hint="What you did, why, what changed, what you'd do next."),
        _input(
            STANDARDS,
            "Mentor standards it shows",
            {"type": "multi_static_select", "options": standards, "placeholder": _plain("Standards")},
        ),
    ]
    if form.records:
        options = [_option(f"{c.kind.capitalize()} {c.on:%-d %b %Y}", c.value) for c in form.records[:OPTIONS_LIMIT]]
        blocks.append(
            _input(
                RECORDS,
                "Attach your records",
                {"type": "multi_static_select", "options": options, "placeholder": _plain("Meetings, observations")},
                optional=True,
                hint="The portfolio names each by its date; their notes stay private.",
            )
        )
    blocks.append(
        _input(
            QUOTE,
            "A short quote for the portfolio",
            _text(QUOTE_LIMIT, multiline=False),
            optional=True,
            hint="Only what you put here is quoted: mentees' notes never appear in your portfolio.",
        )
    )
    return _modal(ids.REFLECTION_CALLBACK, "Reflection", blocks)


def _value(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    return dict((values.get(block_id) or {}).get(VALUE) or {})


def _selected_date(values: dict[str, Any], block_id: str) -> date | None:
    raw = _value(values, block_id).get("selected_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _selected(values: dict[str, Any], block_id: str) -> str | None:
    return (_value(values, block_id).get("selected_option") or {}).get("value")


def _many(values: dict[str, Any], block_id: str) -> list[str]:
    return [str(o.get("value")) for o in _value(values, block_id).get("selected_options") or []]


def read_reflection_state(values: dict[str, Any]) -> ReflectionDraft:
    return ReflectionDraft(
        text=_value(values, TEXT).get("value"),
        standards=_many(values, STANDARDS),
        records=_many(values, RECORDS),
        quote=_value(values, QUOTE).get("value"),
    )


def training_modal(today: date) -> dict[str, Any]:
    blocks: list[Block] = [
        section("Log a mentor training session: new mentors of ECTs have 20 hours over their first year."),
        _input(HELD_ON, "Date", _date(today)),
        _input(HOURS, "Hours", _text(10, multiline=False), hint="e.g. 1.5, 2 or 90m"),
        _input(PROVIDER, "Provider", _text(PROVIDER_LIMIT, multiline=False), hint="Who ran it: the provider, a hub"),
        _input(TOPIC, "Topic", _text(NOTE_LIMIT)),
    ]
    return _modal(ids.TRAINING_CALLBACK, "Mentor training", blocks)


def read_training_state(values: dict[str, Any]) -> TrainingDraft:
    return TrainingDraft(
        held_on=_selected_date(values, HELD_ON),
        hours=_value(values, HOURS).get("value"),
        provider=_value(values, PROVIDER).get("value"),
        topic=_value(values, TOPIC).get("value"),
    )


# --- lead mentors -------------------------------------------------------------------------------------------------
def comment_modal(progress: Progress) -> dict[str, Any]:
    options = [
        _option(f"{r.written_on:%-d %b}: {r.text}", str(r.id)) for r in reversed(progress.reflections[-OPTIONS_LIMIT:])
    ]
    blocks: list[Block] = [
        section(f"A comment on a reflection by <@{progress.mentor_id}>. They are told by DM."),
        _input(REFLECTION, "Reflection", {"type": "static_select", "options": options}),
        _input(COMMENT, "Your comment", _text(NOTE_LIMIT)),
    ]
    return _modal(ids.COMMENT_CALLBACK, "Comment", blocks, {"mentor": progress.mentor_id})


def read_comment_state(values: dict[str, Any]) -> tuple[int, str | None]:
    raw = _selected(values, REFLECTION) or ""
    return (int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else 0), _value(values, COMMENT).get("value")


def tick_modal(progress: Progress) -> dict[str, Any]:
    options = []
    for level in progress.levels:
        for c in level.criteria:
            if c.criterion.kind.value == "tick":
                mark = " (ticked)" if c.met else ""
                options.append(_option(f"{c.criterion.label}{mark}", c.criterion.key))
    blocks: list[Block] = [
        section(f"Tick a document or signature criterion for <@{progress.mentor_id}>, with its date and a note."),
        _input(CRITERION, "Criterion", {"type": "static_select", "options": options}),
        _input(TICKED_ON, "Date of the document or signature", _date(progress.today)),
        _input(NOTE, "Note", _text(NOTE_LIMIT), optional=True, hint="e.g. where the signed copy is kept"),
    ]
    return _modal(ids.TICK_CALLBACK, "Tick a criterion", blocks, {"mentor": progress.mentor_id})


def read_tick_state(values: dict[str, Any]) -> tuple[str | None, date | None, str | None]:
    return _selected(values, CRITERION), _selected_date(values, TICKED_ON), _value(values, NOTE).get("value")


def outcome_modal(progress: Progress) -> dict[str, Any]:
    levels = [_option(level.label, level.key) for level in progress.scheme.levels]
    outcomes = [_option(label, o.value) for o, label in OUTCOME_LABEL.items()]
    past = [d for d in progress.scheme.panel_dates if d <= progress.today]
    blocks: list[Block] = [
        section(f"The review panel's outcome for <@{progress.mentor_id}>. No fails: only more evidence requested."),
        _input(LEVEL, "Level", {"type": "static_select", "options": levels}),
        _input(OUTCOME, "Outcome", {"type": "radio_buttons", "options": outcomes}),
        _input(PANEL_ON, "Panel date", _date(past[-1] if past else progress.today)),
        _input(MORE, "More evidence requested", _text(NOTE_LIMIT), optional=True, hint="What the mentor should add"),
    ]
    return _modal(ids.OUTCOME_CALLBACK, "Panel outcome", blocks, {"mentor": progress.mentor_id})


def read_outcome_state(values: dict[str, Any]) -> tuple[str | None, PanelOutcome | None, date | None, str | None]:
    raw = _selected(values, OUTCOME)
    outcome = PanelOutcome(raw) if raw in {o.value for o in PanelOutcome} else None
    return _selected(values, LEVEL), outcome, _selected_date(values, PANEL_ON), _value(values, MORE).get("value")


# --- replies --------------------------------------------------------------------------------------------------------
def summary_lines(progress: Progress) -> list[str]:
    """Progress per level and per standard, in a few lines (the portfolio reply and the Home)."""
    t = progress.training
    lines = []
    for level in progress.levels:
        if level.level.lead and not progress.is_lead:
            continue  # the lead level is for lead mentors
        lines.append(f"*{level.level.label}:* {level.met} of {len(level.criteria)} criteria met")
    for sp in progress.standards:
        lines.append(
            f"• *{user_text(sp.standard.name)}*: {sp.reflections} reflection{'s' if sp.reflections != 1 else ''}, "
            f"{sp.evidence_count} records"
        )
    target = f" of {hours_text(t.target_hours)}" if t.first_year_since else ""
    lines.append(f"*Training:* {hours_text(t.hours)}{target} hours")
    return lines


def portfolio_reply(progress: Progress, *, lead_may_act: bool, for_self: bool) -> dict[str, Any]:
    whose = "your" if for_self else f"<@{progress.mentor_id}>'s"
    text = f"Preparing {whose} certification portfolio: the PDF will be in our DM in a moment."
    blocks: list[Block] = [section(text), *sections_for_lines(summary_lines(progress))]
    if lead_may_act:
        mentor = progress.mentor_id
        blocks.append(
            {
                "type": "actions",
                "block_id": ids.LEAD_ACTIONS_BLOCK,
                "elements": [
                    button("Comment on a reflection", ids.COMMENT_OPEN, mentor),
                    button("Tick a criterion", ids.TICK_OPEN, mentor),
                    button("Record panel outcome", ids.OUTCOME_OPEN, mentor),
                ],
            }
        )
    return {"text": text, "blocks": blocks}


def register_reply(rows: list[RegisterRow]) -> dict[str, Any]:
    if not rows:
        text = (
            "No mentor has been certified here yet. "
            "Lead mentors record a panel's outcome from `/mentor portfolio @mentor`."
        )
        return {"text": text}
    lines = [f"*Certified mentors* ({len(rows)})"]
    lines += [f"• <@{r.mentor_id}>: {user_text(r.level)}, {r.awarded_on:%-d %B %Y}" for r in rows]
    lines.append("_Operators: `python -m bot mentors export --team T…` writes this as CSV._")
    return {"text": f"Certified mentors ({len(rows)})", "blocks": sections_for_lines(lines)}


def outcome_dm(level_label: str, outcome: PanelOutcome, panel_on: date, more: str | None) -> str:
    if outcome is PanelOutcome.AWARDED:
        return (
            f":tada: The review panel of {panel_on:%-d %B %Y} awarded you *{user_text(level_label)}*. Congratulations!"
        )
    return (
        f"The review panel of {panel_on:%-d %B %Y} looked at your portfolio for *{user_text(level_label)}* and asks "
        f"for more evidence:\n>{user_text(more or '')}\nAdd it with `/evidence` and it goes to the next panel."
    )


def comment_dm(lead_id: str, written_on: date, comment: str) -> str:
    return (
        f"<@{lead_id}> commented on your reflection of {written_on:%-d %B %Y}:\n>{user_text(comment)}\n"
        "See it in your portfolio: `/mentor portfolio`."
    )


def panel_reminder_text(panel_on: date, notice: str) -> str:
    when = "in a month" if notice == "month_before" else "in a week"
    return (
        f"The mentor certification review panel meets {when}, on {panel_on:%A %-d %B %Y}. "
        "Your evidence gathers itself from your mentoring; add a reflection for each standard with `/evidence`, "
        "log training with `/evidence training`, and see your portfolio with `/mentor portfolio`."
    )


# --- the mentor's Home section -----------------------------------------------------------------------------------
def home_blocks(progress: Progress) -> list[Block]:
    """Progress per standard, then per level and criterion (met ✓, still to evidence ◻), training and the panel."""
    t = progress.training
    lines: list[str] = []
    if progress.awarded:
        level = progress.scheme.level(progress.awarded.level)
        label = level.label if level else progress.awarded.level
        lines.append(f":medal: Awarded *{user_text(label)}* on {progress.awarded.panel_on:%-d %B %Y}")
    for sp in progress.standards:
        lines.append(
            f"• *{user_text(sp.standard.name)}*: {sp.reflections} reflection{'s' if sp.reflections != 1 else ''}, "
            f"{sp.evidence_count} records"
        )
    for level_progress in progress.levels:
        if level_progress.level.lead and not progress.is_lead:
            continue  # the lead level is for lead mentors
        met, total = level_progress.met, len(level_progress.criteria)
        lines.append(f"*{user_text(level_progress.level.label)}:* {met} of {total} criteria met")
        lines += [
            f"{'✓' if c.met else '◻'} {user_text(c.criterion.label)}: {user_text(c.detail)}"
            for c in level_progress.criteria
        ]
    if t.first_year_since is not None:
        expected = t.expected_by(progress.today)
        state = "on track" if not t.behind(progress.today) else f"behind: {hours_text(expected)} expected by now"
        lines.append(
            f"*Training:* {hours_text(t.hours)} of {hours_text(t.target_hours)} hours in your first year ({state})"
        )
    else:
        lines.append(f"*Training:* {hours_text(t.hours)} hours logged")
    if progress.next_panel:
        lines.append(f"_Next review panel: {progress.next_panel:%-d %B %Y}._")
    return [
        divider(),
        header("Your certification"),
        *sections_for_lines(lines),
        {
            "type": "actions",
            "block_id": ids.HOME_ACTIONS_BLOCK,
            "elements": [
                button("Add a reflection", ids.REFLECT_OPEN, "reflect"),
                button("Log training", ids.TRAINING_OPEN, "training"),
            ],
        },
        context("`/mentor portfolio` sends your portfolio PDF to our DM."),
    ]
