"""The coaching check back, sent by the scheduler: after a triplet's session date (or, with none booked, near the
end of its window) "did you meet?" in its group DM, once; and one nudge to a triplet that hasn't met. Each is
claimed before it is sent, so two runs never send it twice; one that could not be sent is owed again."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from handlers.coaching.blocks import check_back, nudge
from handlers.slack.replies import SLACK_FAILURES, failure_reason

log = logging.getLogger(__name__)


def send_check_backs(deps: Deps, client: WebClient, team_id: str) -> int:
    """Every check back and nudge owed now in one workspace; returns how many were sent."""
    now = deps.now()
    sent = 0
    for is_nudge, due in (
        (False, deps.coaching.check_backs_due(team_id, now)),
        (True, deps.coaching.nudges_due(team_id, now)),
    ):
        for triplet in due:
            if not triplet.channel_id or not deps.coaching.claim(team_id, triplet.triplet_id, now, nudge=is_nudge):
                continue
            text, blocks = nudge(triplet) if is_nudge else check_back(triplet)
            try:
                client.chat_postMessage(channel=triplet.channel_id, text=text, blocks=blocks)
            except SLACK_FAILURES as exc:
                log.warning("Could not send triplet %s its check back: %s", triplet.triplet_id, failure_reason(exc))
                deps.coaching.release(team_id, triplet.triplet_id, nudge=is_nudge)
                continue
            sent += 1
    if sent:
        log.info("Coaching check backs for %s: %d sent", team_id, sent)
    return sent
