"""Sending the week's digests exactly once per recipient, however many workers run and whatever Slack answers.

Each delivery is a row claimed in the database before anything is sent. A claim older than the lease
(a worker that died mid-send) is checked against Slack's history for the message we tag with metadata
before anything is sent again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.digests.chart import ratings_chart
from bot.digests.service import DigestBuilder, SchoolWeek, Week
from bot.roster.service import RosterService
from handlers.digests.blocks import Message, admin_notice, lead_digest, slt_summary, standard_label
from storage.digests import DeliveryKind, DeliveryStatus, DigestDelivery, DigestRepository

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
METADATA_EVENT = "mentor_bot_digest"
# The person or channel is gone for good: record it, tell the admins, don't retry.
GONE = {"user_not_found", "account_inactive", "user_disabled", "cannot_dm_bot", "is_archived"}
# The bot can't post in the SLT channel until someone fixes it: tell the admins and retry next tick.
CHANNEL_PROBLEMS = {"not_in_channel", "channel_not_found", "is_archived"}


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)  # another worker holds the claim
    failed: list[str] = field(default_factory=list)
    undeliverable: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Planned:
    kind: DeliveryKind
    recipient: str  # whom the row is for (a user, a channel, or "admin:problem")
    send: Callable[[DigestDelivery], tuple[str, str]]  # returns (channel, ts) of the message sent
    label: str


class Unfixable(Exception):
    """Slack says this recipient can't be reached; the message names why."""


class DigestRun:
    """One pass over a workspace's deliveries for one week (the composition root builds it: `bot.app.jobs`)."""

    def __init__(
        self,
        client: WebClient,
        *,
        builder: DigestBuilder,
        repo: DigestRepository,
        roster: RosterService,
        worker: str | None = None,
    ) -> None:
        self.client = client
        self.builder = builder
        self.repo = repo
        self.roster = roster
        self.worker = worker or worker_name()

    def needs_run(self, team_id: str, week: Week) -> bool:
        """False once every delivery of the week is sent or given up on: ticks then cost one query."""
        rows = self.repo.for_week(team_id, str(week))
        finished = (DeliveryStatus.SENT, DeliveryStatus.UNDELIVERABLE)
        return not rows or any(row.status not in finished for row in rows)

    def run(self, team_id: str, week: Week, now: datetime) -> DeliveryReport:
        school = self.builder.add_warnings(self.builder.build(team_id, week))
        previous = self.repo.snapshot(team_id, str(week.previous))
        if previous is None:
            previous = self.builder.build(team_id, week.previous).numbers()
        self.repo.save_snapshot(team_id, str(week), school.numbers(), now)
        report = DeliveryReport()
        notices = self.problems_before_sending(school)
        for planned in self._plan(school, previous):
            self._deliver(team_id, week, planned, now, report, notices)
        for problem in notices:
            self._notify_admins(team_id, week, problem, now, report)
        return report

    # --- what goes to whom --------------------------------------------------------------------------------
    def _plan(self, school: SchoolWeek, previous: dict[str, Any] | None) -> list[Planned]:
        plans: list[Planned] = []
        if school.lead_ids:
            digest = lead_digest(school)
            for lead in school.lead_ids:
                send = self._lead_sender(lead, digest.messages, digest.overflow_csv, school)
                plans.append(Planned(DeliveryKind.LEAD, lead, send, f"lead <@{lead}>"))
        if school.slt_channel_id:
            summary = slt_summary(school, previous)
            plans.append(
                Planned(DeliveryKind.SLT, school.slt_channel_id, self._slt_sender(school, summary), "SLT channel")
            )
        return plans

    def _lead_sender(
        self, lead: str, messages: list[Message], csv: bytes | None, school: SchoolWeek
    ) -> Callable[[DigestDelivery], tuple[str, str]]:
        def send(delivery: DigestDelivery) -> tuple[str, str]:
            channel = self._dm_channel(lead)
            first = self._post(channel, messages[0], delivery)
            for message in messages[1:]:
                self._post(channel, message, delivery, thread_ts=first)
            if csv is not None:
                self.client.files_upload_v2(
                    channel=channel,
                    thread_ts=first,
                    content=csv,
                    filename=f"mentoring-digest-{school.week}.csv",
                    title=f"Every mentee, week of {school.week.monday:%-d %B}",
                )
            return channel, first

        return send

    def _slt_sender(self, school: SchoolWeek, summary: Message) -> Callable[[DigestDelivery], tuple[str, str]]:
        def send(delivery: DigestDelivery) -> tuple[str, str]:
            assert school.slt_channel_id is not None
            ts = self._post(school.slt_channel_id, summary, delivery)
            distribution = school.rating_distribution
            if distribution:
                try:
                    labels = {key: standard_label(key) for key in distribution}
                    title = f"Latest ratings per standard, week of {school.week.monday:%-d %B}"
                    png = ratings_chart(distribution, labels, title)
                    self.client.files_upload_v2(
                        channel=school.slt_channel_id,
                        thread_ts=ts,
                        content=png,
                        filename=f"ratings-{school.week}.png",
                        title="Latest rating per Teachers' Standard",
                        alt_txt="Bar chart of each standard's latest ratings; the same numbers are in the message.",
                    )
                except Exception:  # the numbers are already in the message; the chart is extra
                    log.exception("Could not upload the ratings chart for team %s", school.team_id)
            return school.slt_channel_id, ts

        return send

    def _dm_channel(self, user_id: str) -> str:
        try:
            return str(self.client.conversations_open(users=user_id)["channel"]["id"])
        except SlackApiError as exc:
            if exc.response.get("error") in GONE:
                raise Unfixable(str(exc.response.get("error"))) from None
            raise

    def _post(self, channel: str, message: Message, delivery: DigestDelivery, *, thread_ts: str | None = None) -> str:
        response = self.client.chat_postMessage(
            channel=channel,
            text=message.text,
            blocks=message.blocks,
            thread_ts=thread_ts,
            unfurl_links=False,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"delivery": delivery.id}},
        )
        return str(response["ts"])

    # --- exactly once ---------------------------------------------------------------------------------------
    def _deliver(
        self, team_id: str, week: Week, planned: Planned, now: datetime, report: DeliveryReport, notices: list[str]
    ) -> None:
        row = self.repo.ensure(team_id, str(week), planned.kind, planned.recipient, now)
        if row.status is DeliveryStatus.SENT:
            report.already_sent.append(planned.label)
            return
        if row.status is DeliveryStatus.UNDELIVERABLE:
            report.undeliverable.append(planned.label)
            return
        was_sending = row.status is DeliveryStatus.SENDING
        claimed = self.repo.claim(row.id, self.worker, now, stale_before=now - LEASE)
        if claimed is None:
            report.busy.append(planned.label)
            return
        if was_sending and claimed.channel:
            found = self._already_posted(claimed)
            if found is not None:  # the last worker sent it, then died before saying so
                self.repo.finish(claimed.id, self.worker, DeliveryStatus.SENT, sent_at=now, message_ts=found)
                report.already_sent.append(planned.label)
                return
        try:
            channel, ts = planned.send(claimed)
        except Unfixable as exc:
            self._give_up(claimed, planned, str(exc), report, notices)
        except SlackApiError as exc:
            code = str(exc.response.get("error") or exc.response.status_code)
            if planned.kind is DeliveryKind.SLT and code in CHANNEL_PROBLEMS:
                self.repo.finish(claimed.id, self.worker, DeliveryStatus.FAILED, last_error=code)
                report.failed.append(planned.label)
                notices.append(_channel_problem(planned.recipient, code))
            elif code in GONE or (planned.kind is not DeliveryKind.SLT and code == "channel_not_found"):
                self._give_up(claimed, planned, code, report, notices)
            else:
                self.repo.finish(claimed.id, self.worker, DeliveryStatus.FAILED, last_error=code)
                report.failed.append(planned.label)
        except Exception as exc:  # connection trouble etc.: retried at the next tick
            log.warning("Digest delivery %s failed: %s", claimed.id, type(exc).__name__)
            self.repo.finish(claimed.id, self.worker, DeliveryStatus.FAILED, last_error=type(exc).__name__)
            report.failed.append(planned.label)
        else:
            self.repo.finish(claimed.id, self.worker, DeliveryStatus.SENT, sent_at=now, channel=channel, message_ts=ts)
            report.sent.append(planned.label)

    def _give_up(
        self, claimed: DigestDelivery, planned: Planned, code: str, report: DeliveryReport, notices: list[str]
    ) -> None:
        self.repo.finish(claimed.id, self.worker, DeliveryStatus.UNDELIVERABLE, last_error=code)
        report.undeliverable.append(planned.label)
        if planned.kind is DeliveryKind.LEAD:
            notices.append(
                f"I couldn't send this week's digest to <@{planned.recipient}> ({code}): they may have left the "
                "workspace. If they're no longer lead mentor, remove the role with `/mentor role remove`."
            )

    def _already_posted(self, delivery: DigestDelivery) -> str | None:
        try:
            # The latest messages, not "since the claim": our clock and Slack's need not agree.
            history = self.client.conversations_history(
                channel=delivery.channel or "", include_all_metadata=True, limit=200
            )
        except SlackApiError:
            return None
        messages: list[dict[str, Any]] = history.get("messages") or []
        for message in messages:
            metadata = message.get("metadata") or {}
            if (
                metadata.get("event_type") == METADATA_EVENT
                and (metadata.get("event_payload") or {}).get("delivery") == delivery.id
            ):
                return str(message["ts"])
        return None

    # --- telling admins what to fix ------------------------------------------------------------------------
    def _notify_admins(self, team_id: str, week: Week, problem: str, now: datetime, report: DeliveryReport) -> None:
        admins = self.roster.admins(team_id)
        if not admins:
            log.warning("Team %s has a digest problem and no admin the bot knows: %s", team_id, problem)
            return
        key = _problem_key(problem)
        message = admin_notice(problem)
        for admin in admins:

            def send(delivery: DigestDelivery, admin: str = admin) -> tuple[str, str]:
                response = self.client.chat_postMessage(channel=admin, text=message.text, blocks=message.blocks)
                return str(response["channel"]), str(response["ts"])

            planned = Planned(DeliveryKind.ADMIN_NOTICE, f"{admin}:{key}", send, f"admin <@{admin}>")
            self._deliver(team_id, week, planned, now, report, [])

    def problems_before_sending(self, school: SchoolWeek) -> list[str]:
        problems = []
        if not school.lead_ids:
            problems.append(
                "This week's mentoring digest had no lead mentor to go to. "
                "Give someone the role with `/mentor role add @person lead`."
            )
        if not school.slt_channel_id:
            problems.append(
                "This week's SLT summary had nowhere to go. Choose the channel with `/mentor slt-channel #channel` "
                "and invite me there with `/invite @mentor-bot`."
            )
        return problems


def _channel_problem(channel: str, code: str) -> str:
    if code == "not_in_channel":
        return f"I couldn't post the SLT summary in <#{channel}>: I'm not in it. Type `/invite @mentor-bot` there."
    return (
        f"I couldn't post the SLT summary in <#{channel}> ({code}). "
        "Choose a channel I can post in with `/mentor slt-channel #channel`."
    )


def _problem_key(problem: str) -> str:
    return hashlib.sha256(problem.encode()).hexdigest()[:16]
