"""Block Kit for peer visits and learning walks: the visit modal, the visited colleague's DM with Reply, the
reply, the learning walk modal and its "well done" DMs. Nothing here is ever a rating."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.core.school_calendar import DateRange
from bot.core.words import counted
from bot.visits.service import (
    CLASSROOMS,
    FOCUS,
    GOOD_PRACTICE,
    NOTICED,
    REPLY,
    SHARE_NAME,
    TEXT_LIMIT,
    THANK,
    VISITED_ON,
    VISITS_PER_HALF_TERM,
    WALKED_ON,
    WILL_TRY,
    VisitDraft,
    WalkDraft,
)
from handlers.slack.blocks import Block, button, context, section, user_text
from handlers.slack.inputs import (
    date_element,
    field,
    modal,
    option,
    quoted,
    read_checked,
    read_date,
    read_text,
    read_users,
    text_element,
)
from handlers.visits import ids
from storage.roster import Person
from storage.visits import LearningWalk, PeerVisit

SHARE_VALUE = "share"


def visit_modal(visited: Person, today: date) -> dict[str, Any]:
    return modal(
        ids.VISIT_CALLBACK,
        "Peer visit",
        [
            section(
                f"A visit to *{user_text(visited.display)}*'s classroom: not an inspection, a chance for you both to "
                "learn. There is no rating. They see what you write and can reply."
            ),
            field(VISITED_ON, "Date of the visit", date_element(today)),
            field(
                FOCUS,
                "Focus",
                text_element(TEXT_LIMIT, multiline=False),
                optional=True,
                hint="e.g. questioning in maths",
            ),
            field(NOTICED, "What I noticed", text_element(TEXT_LIMIT)),
            field(WILL_TRY, "What I'll try in my own lessons", text_element(TEXT_LIMIT), optional=True),
        ],
        submit="Save",
        metadata=json.dumps({"visited": visited.user_id}),
    )


def read_visit(values: dict[str, Any], metadata: dict[str, Any]) -> VisitDraft:
    return VisitDraft(
        visited_id=str(metadata.get("visited") or ""),
        visited_on=read_date(values, VISITED_ON),
        focus=read_text(values, FOCUS),
        noticed=read_text(values, NOTICED),
        will_try=read_text(values, WILL_TRY),
    )


def _visit_lines(visit: PeerVisit) -> list[str]:
    lines = []
    if visit.focus:
        lines.append(f"*Focus*\n{quoted(visit.focus)}")
    lines.append(f"*What they noticed*\n{quoted(visit.noticed)}")
    if visit.will_try:
        lines.append(f"*What they'll try in their own lessons*\n{quoted(visit.will_try)}")
    return lines


def visited_dm(visit: PeerVisit) -> tuple[str, list[Block]]:
    text = f"<@{visit.visitor_id}> visited your classroom on {visit.visited_on:%A %-d %B}"
    blocks: list[Block] = [
        section(f":eyes: {text}. A peer visit is never a rating: here is what they noticed."),
        *[section(line) for line in _visit_lines(visit)],
        {
            "type": "actions",
            "block_id": ids.VISIT_BLOCK,
            "elements": [button("Say thanks or comment", ids.REPLY, str(visit.id))],
        },
    ]
    return text, blocks


def logged_text(visit: PeerVisit, received: int, half: DateRange) -> str:
    twice = (
        "visited at least twice this half term"
        if received >= VISITS_PER_HALF_TERM
        else f"{received} of {VISITS_PER_HALF_TERM} visits this half term"
    )
    return (
        f":white_check_mark: Your visit to <@{visit.visited_id}>'s classroom on {visit.visited_on:%-d %B} is logged, "
        f"and I've sent them what you noticed. They have had {counted(received, 'visit')} this half term "
        f"({twice})."
    )


def reply_modal(visit: PeerVisit) -> dict[str, Any]:
    return modal(
        ids.REPLY_CALLBACK,
        "Reply to a visit",
        [
            section(f"To <@{visit.visitor_id}>, about their visit on {visit.visited_on:%-d %B}."),
            field(REPLY, "Thanks or a comment", text_element(TEXT_LIMIT)),
        ],
        submit="Send",
        metadata=json.dumps({"visit": visit.id}),
    )


def reply_dm(visit: PeerVisit) -> tuple[str, list[Block]]:
    text = f"<@{visit.visited_id}> replied about your visit on {visit.visited_on:%-d %B}"
    return text, [section(f":speech_balloon: {text}:\n{quoted(visit.reply)}")]


def walk_modal(today: date) -> dict[str, Any]:
    share = option("Show my name beside the good practice in SLT's summary", SHARE_VALUE)
    return modal(
        ids.WALK_CALLBACK,
        "Learning walk",
        [
            section("Not to give next steps but to note good practice, and to thank the colleagues you saw."),
            field(WALKED_ON, "Date", date_element(today)),
            field(CLASSROOMS, "Classrooms visited", text_element(TEXT_LIMIT, multiline=False), optional=True),
            field(GOOD_PRACTICE, "Good practice noted", text_element(TEXT_LIMIT)),
            field(
                THANK,
                "People to thank",
                {"type": "multi_users_select", "max_selected_items": 30},
                optional=True,
                hint="Each gets a well done from you by DM.",
            ),
            field(SHARE_NAME, "In the SLT summary", {"type": "checkboxes", "options": [share]}, optional=True),
        ],
        submit="Save",
    )


def read_walk(values: dict[str, Any]) -> WalkDraft:
    return WalkDraft(
        walked_on=read_date(values, WALKED_ON),
        classrooms=read_text(values, CLASSROOMS),
        good_practice=read_text(values, GOOD_PRACTICE),
        thank=read_users(values, THANK),
        share_name=SHARE_VALUE in read_checked(values, SHARE_NAME),
    )


def well_done_dm(walk: LearningWalk) -> tuple[str, list[Block]]:
    text = f"Well done from <@{walk.walker_id}>'s learning walk on {walk.walked_on:%-d %B}"
    return text, [
        section(
            f":star2: *Well done!* <@{walk.walker_id}> saw good practice on a learning walk on "
            f"{walk.walked_on:%A %-d %B}:\n{quoted(walk.good_practice)}"
        ),
        context("A learning walk notes good practice: there are no next steps."),
    ]


def walked_text(walk: LearningWalk, thanked: int) -> str:
    return f":white_check_mark: Your learning walk on {walk.walked_on:%-d %B} is recorded" + (
        f", and I've sent a well done to {counted(thanked, 'colleague')}." if thanked else "."
    )
