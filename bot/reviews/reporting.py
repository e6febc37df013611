"""Reading one review for its report: who may ask (the people who may see the records), which review, and the
audit entry every report leaves."""

from __future__ import annotations

import re
from datetime import datetime

from bot.core.errors import InvalidInput, NotFound
from bot.core.permissions import Action, require
from bot.core.vocabulary import REVIEW_KIND_LABEL as KIND_LABEL
from bot.core.vocabulary import REVIEW_OUTCOME_LABEL as OUTCOME_LABEL
from bot.core.vocabulary import SIGNER_LABEL as CAPACITY_LABEL
from bot.reviews.report import ReportData, Signature
from bot.reviews.writing import ReviewWriting
from bot.roster.service import Caller
from storage.reviews import Review, ReviewRepository, ReviewStatus
from storage.roster import AuditRepository, MentorshipRepository, PeopleRepository, WorkspaceRepository

CLI_ACTOR = "report-cli"


class ReviewReports:
    def __init__(self, writing: ReviewWriting) -> None:
        self.writing = writing
        self.db = writing.db

    def report(self, caller: Caller, mentee_id: str, which: str | None, now: datetime) -> ReportData:
        """The latest review's report, or the one named ("term 3", "interim", a review point, "… v1"), for
        someone allowed to see the teacher's records."""
        with self.db.unit_of_work() as session:
            mentors = MentorshipRepository(session).mentors_of(caller.team_id, mentee_id)
            require(Action.READ_REVIEWS, caller.towards(mentee_id, mentors))
        return self._report(caller.team_id, caller.user_id, mentee_id, which, now)

    def report_for_operator(self, team_id: str, mentee_id: str, which: str | None, now: datetime) -> ReportData:
        """The same, for the operators' `python -m bot report` (they hold the server and the database)."""
        return self._report(team_id, CLI_ACTOR, mentee_id, which, now)

    def _report(self, team_id: str, actor: str, mentee_id: str, which: str | None, now: datetime) -> ReportData:
        with self.db.unit_of_work() as session:
            repo = ReviewRepository(session)
            review = _pick(repo.for_mentee(team_id, mentee_id), which, mentee_id)
            induction = repo.induction(review.mentorship_id)
            signatures = repo.signatures(review.id)
            view = self.writing.view_of(session, review)
            mentorship = next(
                (
                    m
                    for m in MentorshipRepository(session).active_for(team_id, mentee_id)
                    if m.id == review.mentorship_id
                ),
                None,
            )
            mentor_id = mentorship.mentor_id if mentorship else review.author_id
            ids = {mentee_id, mentor_id, review.author_id, *(s.signer_id for s in signatures)}
            if induction is not None and induction.tutor_id:
                ids.add(induction.tutor_id)
            people = PeopleRepository(session).many(team_id, ids)
            workspace = WorkspaceRepository(session).get(team_id)

            def name(user_id: str | None) -> str | None:
                if user_id is None:
                    return None
                person = people.get(user_id)
                return person.display if person else user_id

            fte = induction.fte_percent if induction else 100
            AuditRepository(session).record(
                team_id,
                actor,
                "review.report",
                now,
                subject_id=mentee_id,
                record_type="review",
                record_id=review.id,
            )
            return ReportData(
                school=(workspace.name if workspace and workspace.name else team_id),
                teacher=name(mentee_id) or mentee_id,
                trn=induction.trn if induction else None,
                date_of_birth=induction.date_of_birth if induction else None,
                kind=KIND_LABEL[review.kind].capitalize(),
                title=review.title,
                version=review.version,
                period_start=review.period_start,
                period_end=review.period_end,
                term_number=review.term_number,
                hours="Full time" if fte == 100 else f"Part time ({fte / 100:g})",
                days_absent=induction.days_absent if induction else None,
                appropriate_body=induction.appropriate_body if induction else None,
                mentor=name(mentor_id) or "—",
                induction_tutor=name(induction.tutor_id) if induction else None,
                author=name(review.author_id) or review.author_id,
                on_track=review.on_track,
                outcome=OUTCOME_LABEL[review.outcome] if review.outcome else None,
                evidence=review.evidence,
                figures=review.figures,
                targets=[(t.text, t.due_on) for t in view.targets],
                answers=[(view.question_label(k), v) for k, v in (review.answers or {}).items()],
                signatures=[
                    Signature(CAPACITY_LABEL[s.capacity], name(s.signer_id) or s.signer_id, s.signed_at, s.comment)
                    for s in signatures
                ],
                locked_on=review.locked_at,
                written_on=review.created_at,
                extra=dict(review.answers or {}),
            )


def _pick(reviews: list[Review], which: str | None, mentee_id: str) -> Review:
    if not reviews:
        raise NotFound(f"<@{mentee_id}> has no reviews saved yet.")
    if not which:
        current = [r for r in reviews if r.status is not ReviewStatus.SUPERSEDED]
        return (current or reviews)[-1]
    wanted = " ".join(which.lower().split())
    version = re.search(r"\s*v(?:ersion)?\s*(\d+)$", wanted)
    if version:
        wanted = wanted[: version.start()].strip()
    term = re.fullmatch(r"term:? ?(\d+)", wanted)
    matching = [
        r
        for r in reviews
        if wanted in (r.point_key, r.title.lower(), choice_name_of(r))
        or (term and r.point_key == f"term:{term.group(1)}")
    ]
    if version:
        matching = [r for r in matching if r.version == int(version.group(1))]
    if not matching:
        known = ", ".join(f"`{choice_name_of(r)} v{r.version}`" for r in reviews)
        raise InvalidInput(f"<@{mentee_id}> has no review called “{which}”. Their reviews: {known}.")
    return matching[-1]


def choice_name_of(review: Review) -> str:
    key = review.point_key
    return key.replace(":", " ") if key.startswith(("term:", "interim")) else review.title.lower()
