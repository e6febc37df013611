"""Block Kit for coaching: the staff list, the triplet proposal (Approve / Regenerate / Swap two people), each
triplet's group DM with **Book our session**, the check back, the takeaway and the one nudge."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.coaching.service import SESSION_ON, SHARE, TAKEAWAY, TAKEAWAY_LIMIT, RoundView, StaffListing, TripletView
from bot.core.school_calendar import Term
from bot.core.words import counted
from handlers.coaching import ids
from handlers.slack.blocks import Block, button, context, header, section, sections_for_lines, user_text
from handlers.slack.inputs import date_element, field, modal, option, plain, quoted, text_element

SHARE_VALUE = "share"
FOCUS = "strategies, techniques and ideas to try in your own lessons"


def _people(user_ids: Sequence[str]) -> str:
    mentions = [f"<@{u}>" for u in user_ids]
    return mentions[0] if len(mentions) == 1 else ", ".join(mentions[:-1]) + " and " + mentions[-1]


def _window(start: date, end: date) -> str:
    return f"{start:%-d %B} to {end:%-d %B %Y}"


# --- the staff list --------------------------------------------------------------------------------------------
def staff_text(listing: StaffListing) -> dict[str, Any]:
    if not listing.staff:
        return {"text": "The staff list is empty. Add people with `/mentor staff add @person [@person…] [phase]`."}
    term = listing.term.name if listing.term else "this term"
    lines = [
        f"• <@{s.user_id}>"
        + (f" ({user_text(s.phase)})" if s.phase else "")
        + (f" — away {user_text(term)}" if s.away else "")
        for s in listing.staff
    ]
    blocks = [header(f"Staff list ({len(listing.staff)})"), *sections_for_lines(lines)[:45]]
    return {"text": f"Staff list: {counted(len(listing.staff), 'person')}", "blocks": blocks}


def added_text(added_ids: list[tuple[str, bool]], phase: str | None) -> str:
    new = [u for u, created in added_ids if created]
    again = [u for u, created in added_ids if not created]
    parts = []
    if new:
        parts.append(
            f":white_check_mark: Added {_people(new)} to the staff list" + (f" ({user_text(phase)})." if phase else ".")
        )
    if again:
        parts.append(
            f"{_people(again)} {'is' if len(again) == 1 else 'are'} already on it"
            + (" (phase updated)." if phase else ".")
        )
    return " ".join(parts)


def away_text(user_id: str, term: Term, created: bool) -> str:
    if not created:
        return f"<@{user_id}> is already marked away for {user_text(term.name)}."
    return f"<@{user_id}> is away for {user_text(term.name)}: they are left out of that term's triplets."


# --- the proposal ----------------------------------------------------------------------------------------------
def _value(view: RoundView) -> str:
    return f"{view.round_id}:{view.version}"


def proposal_message(view: RoundView) -> dict[str, Any]:
    lines = []
    for n, group in enumerate(view.groups, start=1):
        people = ", ".join(
            f"<@{u}>" + (f" ({user_text(view.phases[u])})" if view.phases.get(u) else "") for u in group.user_ids
        )
        lines.append(f"{n}. {people}" + (" — a pair" if len(group.user_ids) == 2 else ""))
    threes = sum(1 for g in view.groups if len(g.user_ids) == 3)
    pairs = len(view.groups) - threes
    shape = counted(threes, "triplet") + (f" and {counted(pairs, 'pair')}" if pairs else "")
    title = f"{view.subject.capitalize()} triplets for {view.term}"
    blocks: list[Block] = [
        header(title),
        section(
            f"{shape} for {counted(view.people, 'person')}, nobody left out. Sessions any time from "
            f"{_window(view.window_start, view.window_end)}."
        ),
        *sections_for_lines(lines),
    ]
    if view.repeat_ids:
        pairs_text = "; ".join(" and ".join(f"<@{u}>" for u in sorted(p)) for p in view.repeat_ids)
        blocks.append(
            section(
                f":warning: {counted(len(view.repeat_ids), 'pairing')} from an earlier term couldn't be avoided: "
                f"{pairs_text}."
            )
        )
    else:
        blocks.append(context("No pairing from an earlier term is repeated. Phases are mixed where they are known."))
    if view.away_ids:
        blocks.append(context("Away this term: " + _people(view.away_ids) + "."))
    blocks.append(
        {
            "type": "actions",
            "block_id": ids.PROPOSAL_BLOCK,
            "elements": [
                button("Approve and tell them", ids.APPROVE, _value(view), style="primary"),
                button("Regenerate", ids.REGENERATE, _value(view)),
                button("Swap two people", ids.SWAP, _value(view)),
            ],
        }
    )
    return {"text": f"{user_text(title)}: {shape}", "blocks": blocks[:50]}


def approved_message(view: RoundView, told: int) -> dict[str, Any]:
    title = f"{view.subject.capitalize()} triplets for {view.term}"
    lines = [f"{n}. {_people(g.user_ids)}" for n, g in enumerate(view.groups, start=1)]
    return {
        "text": f"{user_text(title)} approved",
        "blocks": [
            header(f"{title}: approved"),
            section(
                f":white_check_mark: Approved. I've messaged {counted(told, 'group')} of {len(view.groups)} with "
                "their partners, the focus and the window, and a button to book their session."
            ),
            *sections_for_lines(lines)[:45],
        ],
    }


def swap_modal(view: RoundView, names: dict[str, str], response_url: str | None) -> dict[str, Any]:
    groups = [
        {
            "label": plain(f"Group {n}", 75),
            "options": [option(names.get(u, u), u) for u in g.user_ids],
        }
        for n, g in enumerate(view.groups[:100], start=1)
    ]
    element = {"type": "static_select", "option_groups": groups, "placeholder": plain("Choose someone")}
    metadata = json.dumps({"round": view.round_id, "version": view.version, "url": response_url or ""})
    return modal(
        ids.SWAP_CALLBACK,
        "Swap two people",
        [
            section("Each moves into the other's group."),
            field(ids.FIRST, "Swap", element),
            field(ids.SECOND, "with", element),
        ],
        submit="Swap",
        metadata=metadata[:3000],
    )


def propose_modal(terms: Sequence[Term]) -> dict[str, Any]:
    subjects = [option(s.capitalize(), s) for s in ("maths", "reading", "writing")]
    term_options = [option(t.name, t.name) for t in terms[:100]]
    blocks = [
        field(ids.SUBJECT, "Subject", {"type": "static_select", "options": subjects, "initial_option": subjects[0]}),
        field(
            ids.TERM,
            "Term",
            {"type": "static_select", "options": term_options, "initial_option": term_options[0]},
        ),
        context("Another subject? Type `/mentor triplets <subject> [term]`."),
    ]
    return modal(ids.PROPOSE_CALLBACK, "Propose triplets", blocks, submit="Propose")


# --- the triplet ------------------------------------------------------------------------------------------------
def _book_button(triplet: TripletView, text: str = "Book our session") -> Block:
    return button(text, ids.BOOK_SESSION, str(triplet.triplet_id), style="primary")


def triplet_dm(triplet: TripletView) -> tuple[str, list[Block]]:
    size = "triplet" if len(triplet.user_ids) == 3 else "pair"
    text = (
        f"Your {user_text(triplet.subject)} coaching {size} for {user_text(triplet.term)}: {_people(triplet.user_ids)}"
    )
    blocks = [
        section(
            f":handshake: *{user_text(triplet.subject.capitalize())} coaching, {user_text(triplet.term)}*\n"
            f"You're a coaching {size}: {_people(triplet.user_ids)}.\n"
            f"*Focus:* {user_text(triplet.subject)}: visit each other's lessons and talk about {FOCUS}.\n"
            f"*When:* any time from {_window(triplet.window_start, triplet.window_end)}."
        ),
        context("Coaching is kept apart from judgement: nothing here is rated or goes into anyone's review."),
        {"type": "actions", "block_id": ids.TRIPLET_BLOCK, "elements": [_book_button(triplet)]},
    ]
    return text, blocks


def book_modal(triplet: TripletView, today: date) -> dict[str, Any]:
    initial = triplet.session_on or max(today, triplet.window_start)
    return modal(
        ids.BOOK_CALLBACK,
        "Book our session",
        [
            section(
                f"Your {user_text(triplet.subject)} session with {_people(triplet.user_ids)}. Everyone in it is told."
            ),
            field(
                SESSION_ON,
                "Date",
                date_element(initial),
                hint=f"Any school day from {_window(triplet.window_start, triplet.window_end)}.",
            ),
        ],
        submit="Book",
        metadata=json.dumps({"triplet": triplet.triplet_id}),
    )


def booked_text(triplet: TripletView, booker_id: str) -> str:
    assert triplet.session_on is not None
    return (
        f":calendar: <@{booker_id}> booked your {user_text(triplet.subject)} coaching session for "
        f"*{triplet.session_on:%A %-d %B}*. I'll check back with you after it."
    )


def check_back(triplet: TripletView) -> tuple[str, list[Block]]:
    when = f"on {triplet.session_on:%A %-d %B}" if triplet.session_on else "this term"
    text = f"Did your {user_text(triplet.subject)} triplet meet {when}?"
    value = str(triplet.triplet_id)
    blocks = [
        section(
            f":wave: {_people(triplet.user_ids)}: did your {user_text(triplet.subject)} coaching session happen {when}?"
        ),
        {
            "type": "actions",
            "block_id": ids.TRIPLET_BLOCK,
            "elements": [
                button("Yes, we met", ids.MET, value, style="primary"),
                button("Not yet", ids.NOT_MET, value),
            ],
        },
    ]
    return text, blocks


def met_message(triplet: TripletView, answered_by: str) -> tuple[str, list[Block]]:
    text = "Great: each of you, add one takeaway"
    blocks = [
        section(
            f":tada: <@{answered_by}> says you met. Each of you, please add *one takeaway*: {FOCUS}. "
            "It is never rated, and stays in this conversation unless you choose to share it with your name."
        ),
        {
            "type": "actions",
            "block_id": ids.TRIPLET_BLOCK,
            "elements": [button("Add my takeaway", ids.ADD_TAKEAWAY, str(triplet.triplet_id), style="primary")],
        },
    ]
    return text, blocks


def not_met_message(triplet: TripletView, answered_by: str) -> tuple[str, list[Block]]:
    text = "Not yet: book a date"
    blocks = [
        section(
            f"<@{answered_by}> says you haven't met yet. Pick a date before {triplet.window_end:%-d %B}: "
            "everyone in the group is told."
        ),
        {"type": "actions", "block_id": ids.TRIPLET_BLOCK, "elements": [_book_button(triplet)]},
    ]
    return text, blocks


def nudge(triplet: TripletView) -> tuple[str, list[Block]]:
    text = f"A reminder: your {user_text(triplet.subject)} coaching session"
    blocks = [
        section(
            f":seedling: {_people(triplet.user_ids)}: a gentle reminder that your {user_text(triplet.subject)} "
            "coaching session "
            f"hasn't happened yet. There's time until {triplet.window_end:%A %-d %B}. This is the only reminder."
        ),
        {"type": "actions", "block_id": ids.TRIPLET_BLOCK, "elements": [_book_button(triplet)]},
    ]
    return text, blocks


def takeaway_modal(triplet: TripletView, user_id: str) -> dict[str, Any]:
    share = option("Share it, with my name, in the school's summary of good practice", SHARE_VALUE)
    return modal(
        ids.TAKEAWAY_CALLBACK,
        "My takeaway",
        [
            section(f"From your {user_text(triplet.subject)} coaching session: one thing to try. It is never rated."),
            field(
                TAKEAWAY,
                "Strategies, techniques or ideas to try in your own lessons",
                text_element(TAKEAWAY_LIMIT, triplet.takeaways.get(user_id)),
            ),
            field(
                SHARE,
                "Sharing",
                {"type": "checkboxes", "options": [share]},
                optional=True,
                hint="Unticked, it stays with your triplet: SLT only see that a takeaway was written.",
            ),
        ],
        submit="Save",
        metadata=json.dumps({"triplet": triplet.triplet_id}),
    )


def takeaway_posted(user_id: str, text: str, shared: bool) -> tuple[str, list[Block]]:
    where = "Shared with SLT's summary, with their name." if shared else "Kept within your triplet."
    return f"A takeaway from <@{user_id}>", [
        section(f":bulb: <@{user_id}>'s takeaway:\n{quoted(text)}"),
        context(where),
    ]
