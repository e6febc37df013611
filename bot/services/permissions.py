"""Who may do what: one table, enforced by the services.

A person's *standing* towards a record is every hat they wear for it: the mentor of this
mentee, a lead mentor, SLT, an admin, the mentee themselves. An action is allowed when any
of those standings is in the action's row.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from bot.errors import NotAllowed


class Standing(enum.StrEnum):
    MENTEE = "mentee"  # the person the record is about
    MENTOR = "mentor"  # the mentee's own mentor
    LEAD = "lead"  # lead mentor
    SLT = "slt"
    ADMIN = "admin"  # bot admin: workspace admins/owners and anyone granted the admin role
    NONE = "none"


class Action(enum.StrEnum):
    VIEW_OWN_ROSTER = "see their own mentorships and roles"
    VIEW_ROSTER = "see the school's mentorships and roles"
    CHANGE_ROSTER = "change mentorships, roles and settings"
    IMPORT_ROSTER = "import a roster"


M, MR, L, S, A = Standing.MENTEE, Standing.MENTOR, Standing.LEAD, Standing.SLT, Standing.ADMIN

POLICY: dict[Action, frozenset[Standing]] = {
    Action.VIEW_OWN_ROSTER: frozenset(Standing),
    Action.VIEW_ROSTER: frozenset({L, S, A}),
    Action.CHANGE_ROSTER: frozenset({A}),
    Action.IMPORT_ROSTER: frozenset({A}),
}

WHO_CAN: dict[Action, str] = {
    Action.VIEW_ROSTER: "lead mentors, SLT and the bot's admins",
    Action.CHANGE_ROSTER: "the bot's admins (Slack workspace admins and owners, or anyone given the admin role)",
    Action.IMPORT_ROSTER: "the bot's admins",
}


def is_allowed(action: Action, standings: Iterable[Standing]) -> bool:
    return any(standing in POLICY[action] for standing in standings)


def require(action: Action, standings: Iterable[Standing]) -> None:
    if not is_allowed(action, standings):
        who = WHO_CAN.get(action, "people whose role needs it")
        raise NotAllowed(f"Sorry, only {who} can {action.value}.")
