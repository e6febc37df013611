"""Sending the week's digests exactly once per recipient, however many workers run and whatever Slack answers.

Each delivery is a row claimed in the database before anything is sent, and the channel it goes to is
stored on the row before the first post. A claim older than the lease (a worker that died mid-send) is
checked against that channel's history for the message we tag with metadata before anything is sent again.
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

from bot.digests.chart import chart_labels, ratings_chart
from bot.digests.service import DigestBuilder, SchoolSetup, SchoolWeek, Week
from bot.reviews.service import ItemState, ReviewService
from bot.roster.service import RosterService
from handlers.digests.blocks import Message, admin_notice, lead_digest, slt_summary
from handlers.slack.directory import SlackDirectory
from handlers.slack.replies import may_have_arrived
from storage.digests import DeliveryKind, DeliveryStatus, DigestDelivery, DigestRepository

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
METADATA_EVENT = "mentor_bot_digest"
SETUP = "setup"  # the "week" of the set-up notices: each is sent once, whatever the week
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
    channel: Callable[[], str]  # where it goes (a person's DM channel is opened first)
    send: Callable[[DigestDelivery, str], str]  # posts into that channel; returns the first message's ts
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
        reviews: ReviewService | None = None,
        worker: str | None = None,
    ) -> None:
        self.client = client
        self.builder = builder
        self.reviews = reviews  # the review schedules' lines in the lead digest
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
        friday = week.monday + timedelta(days=4)
        reviews_due = self.reviews.due_for_digest(team_id, friday) if self.reviews is not None else []
        for planned in self._plan(school, previous, reviews_due):
            self._deliver(team_id, week, planned, now, report, notices)
        for problem in notices:
            self._notify_admins(team_id, week, problem, now, report)
        return report

    def tell_admins_what_is_missing(self, team_id: str, now: datetime) -> DeliveryReport:
        """Once a school has mentorships: no lead mentor or no SLT channel, and the admins are told by DM, once
        (the weekly digest tells them again if it still has nowhere to go)."""
        report = DeliveryReport()
        setup = self.builder.setup(team_id)
        problems = setup_problems(setup) if setup.running else []
        if problems and not self.roster.admins(team_id):
            # A set-up done only from the CLI may not have met an admin yet: ask Slack who they are, once.
            self.roster.meet(team_id, SlackDirectory(self.client).workspace_admins(), now)
        for problem in problems:
            self._notify_admins(team_id, SETUP, problem, now, report, warn=False)
        return report

    # --- what goes to whom --------------------------------------------------------------------------------
    def _plan(
        self, school: SchoolWeek, previous: dict[str, Any] | None, reviews_due: list[tuple[str, ItemState]]
    ) -> list[Planned]:
        plans: list[Planned] = []
        if school.lead_ids:
            digest = lead_digest(school, reviews_due)
            for lead in school.lead_ids:
                send = self._lead_sender(digest.messages, digest.overflow_csv, school)
                plans.append(Planned(DeliveryKind.LEAD, lead, self._opens_dm(lead), send, f"lead <@{lead}>"))
        if school.slt_channel_id:
            summary = slt_summary(school, previous)
            slt: str = school.slt_channel_id
            plans.append(Planned(DeliveryKind.SLT, slt, lambda: slt, self._slt_sender(school, summary), "SLT channel"))
        return plans

    def _lead_sender(
        self, messages: list[Message], csv: bytes | None, school: SchoolWeek
    ) -> Callable[[DigestDelivery, str], str]:
        def send(delivery: DigestDelivery, channel: str) -> str:
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
            return first

        return send

    def _slt_sender(self, school: SchoolWeek, summary: Message) -> Callable[[DigestDelivery, str], str]:
        def send(delivery: DigestDelivery, channel: str) -> str:
            ts = self._post(channel, summary, delivery)
            distribution = school.rating_distribution
            if distribution:
                try:
                    title = f"Latest ratings per standard, week of {school.week.monday:%-d %B}"
                    png = ratings_chart(distribution, title)
                    self.client.files_upload_v2(
                        channel=channel,
                        thread_ts=ts,
                        content=png,
                        filename=f"ratings-{school.week}.png",
                        title="Latest rating per Teachers' Standard",
                        alt_txt=(
                            "Bar chart of the latest ratings, in teachers, for "
                            + "; ".join(chart_labels(distribution))
                            + ". The same numbers are in the message."
                        ),
                    )
                except Exception:  # the numbers are already in the message; the chart is extra
                    log.exception("Could not upload the ratings chart for team %s", school.team_id)
            return ts

        return send

    def _opens_dm(self, user_id: str) -> Callable[[], str]:
        return lambda: self._dm_channel(user_id)

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
        self,
        team_id: str,
        week: Week | str,
        planned: Planned,
        now: datetime,
        report: DeliveryReport,
        notices: list[str],
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
        try:
            channel = planned.channel()
            if was_sending:  # the last worker's claim went stale: did it post before it died?
                found = self._already_posted(claimed, claimed.channel or channel)
                if found is not None:  # it sent it, then died before saying so
                    self.repo.finish(claimed.id, self.worker, DeliveryStatus.SENT, sent_at=now, message_ts=found)
                    report.already_sent.append(planned.label)
                    return
            self.repo.record_channel(claimed.id, self.worker, channel)  # before the first post, always
            ts = planned.send(claimed, channel)
        except Unfixable as exc:
            self._give_up(claimed, planned, str(exc), report, notices)
        except SlackApiError as exc:
            code = str(exc.response.get("error") or exc.response.status_code)
            if may_have_arrived(exc):
                self._keep_uncertain(claimed, planned, code, report)
            elif planned.kind is DeliveryKind.SLT and code in CHANNEL_PROBLEMS:
                self.repo.finish(claimed.id, self.worker, DeliveryStatus.FAILED, last_error=code)
                report.failed.append(planned.label)
                notices.append(_channel_problem(planned.recipient, code))
            elif code in GONE or (planned.kind is not DeliveryKind.SLT and code == "channel_not_found"):
                self._give_up(claimed, planned, code, report, notices)
            else:
                self.repo.finish(claimed.id, self.worker, DeliveryStatus.FAILED, last_error=code)
                report.failed.append(planned.label)
        except Exception as exc:  # connection trouble etc.: retried at the next tick
            if may_have_arrived(exc):
                self._keep_uncertain(claimed, planned, type(exc).__name__, report)
                return
            log.warning("Digest delivery %s failed: %s", claimed.id, type(exc).__name__)
            self.repo.finish(claimed.id, self.worker, DeliveryStatus.FAILED, last_error=type(exc).__name__)
            report.failed.append(planned.label)
        else:
            self.repo.finish(claimed.id, self.worker, DeliveryStatus.SENT, sent_at=now, channel=channel, message_ts=ts)
            report.sent.append(planned.label)

    def _keep_uncertain(self, claimed: DigestDelivery, planned: Planned, why: str, report: DeliveryReport) -> None:
        """A timeout or Slack's own server error: the digest may have been posted. The claim stays; once its lease
        runs out, the next tick looks for the message in the channel before sending anything again."""
        log.warning("Digest delivery %s may have arrived (%s): kept, checked before any resend", claimed.id, why)
        self.repo.finish(claimed.id, self.worker, DeliveryStatus.SENDING, last_error=f"{why}: may have arrived")
        report.failed.append(planned.label)

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

    def _already_posted(self, delivery: DigestDelivery, channel: str) -> str | None:
        try:
            # The latest messages, not "since the claim": our clock and Slack's need not agree.
            history = self.client.conversations_history(channel=channel, include_all_metadata=True, limit=200)
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
    def _notify_admins(
        self, team_id: str, week: Week | str, problem: str, now: datetime, report: DeliveryReport, *, warn: bool = True
    ) -> None:
        admins = self.roster.admins(team_id)
        if not admins:
            if warn:  # the set-up check runs every tick: the weekly digest's warning is enough
                log.warning("Team %s has a digest problem and no admin the bot knows: %s", team_id, problem)
            return
        key = _problem_key(problem)
        message = admin_notice(problem)

        def send(delivery: DigestDelivery, channel: str) -> str:
            return self._post(channel, message, delivery)

        for admin in admins:
            channel = self._opens_dm(admin)
            planned = Planned(DeliveryKind.ADMIN_NOTICE, f"{admin}:{key}", channel, send, f"admin <@{admin}>")
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


def setup_problems(setup: SchoolSetup) -> list[str]:
    """What the admins are told at the first tick after a set-up that left these out (a CLI import, say)."""
    problems = []
    if not setup.lead_ids:
        problems.append(
            "No lead mentor is set, so the weekly mentoring digest has nobody to go to. "
            "Give someone the role with `/mentor role add @person lead`."
        )
    if not setup.slt_channel_id:
        problems.append(
            "No SLT channel is set, so the weekly SLT summary has nowhere to go. Choose the channel with "
            "`/mentor slt-channel #channel` and invite me there with `/invite @mentor-bot`."
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
