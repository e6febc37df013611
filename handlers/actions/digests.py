"""The lead mentor's digest: **Nudge** DMs a mentor whose meeting logs are missing."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import DomainError
from bot.services.permissions import Action, require
from bot.slack_client import SlackDirectory
from handlers.blocks.digests import NUDGE_ACTION, nudge_message
from handlers.replies import send_dm
from storage.db import Database
from storage.repositories import MentorshipRepository


def _mentees_of(db: Database, team_id: str, mentor_id: str) -> list[str]:
    with db.unit_of_work() as session:
        return [
            m.mentee_id
            for m in MentorshipRepository(session).active_for(team_id, mentor_id)
            if m.mentor_id == mentor_id
        ]


def register(app: App, deps: Deps) -> None:
    @app.action(NUDGE_ACTION)
    def nudge_mentor(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        mentor_id = str(body["actions"][0].get("value", ""))
        try:
            caller = deps.roster.caller(team_id, user_id, SlackDirectory(client), deps.now())
            require(Action.NUDGE_MENTOR, caller.standings)
            mentees = _mentees_of(deps.db, team_id, mentor_id)
            if not mentees:
                raise DomainError(f"<@{mentor_id}> isn't mentoring anyone now, so there's nothing to nudge.")
        except DomainError as exc:
            respond(response_type="ephemeral", replace_original=False, text=str(exc))
            return
        sent = send_dm(client, mentor_id, nudge_message(user_id, mentees))
        text = f"Nudged <@{mentor_id}>." if sent else f"I couldn't reach <@{mentor_id}>: they may have left Slack."
        respond(response_type="ephemeral", replace_original=False, text=text)
