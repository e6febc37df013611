"""The composition root: `bootstrap` builds everything once, and `Deps` carries it to whoever needs it.

The server, the scheduler, every CLI command and the benchmarks get their database, clock, calendar, forms,
services, read models and Slack client from here, so each is configured in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from slack_sdk.oauth.token_rotation import TokenRotator

from bot.app.settings import Settings
from bot.app.slack_client import SlackClients, make_web_client
from bot.certification.scheme import load_scheme
from bot.certification.service import CertificationService
from bot.coaching.service import CoachingService
from bot.concerns.plans import PlanService
from bot.concerns.probation import ProbationService
from bot.concerns.service import ConcernService
from bot.concerns.warnings import WarningService
from bot.core.clock import Clock, system_clock
from bot.core.early_warnings import load_thresholds
from bot.core.school_calendar import SchoolCalendar, load_calendar
from bot.digests.nudges import NudgeService
from bot.digests.service import DigestBuilder
from bot.home.service import HomeService, HomeSettings
from bot.home.shared_reads import SharedReads
from bot.meetings.service import MeetingService
from bot.observations.forms import FormLibrary, load_forms
from bot.observations.service import ObservationService
from bot.reminders.service import ReminderService
from bot.reviews.questions import load_questions
from bot.reviews.reporting import ReviewReports
from bot.reviews.service import ReviewService
from bot.reviews.writing import ReviewWriting
from bot.roster.service import RosterService
from bot.targets.service import TargetService
from bot.visits.service import VisitService
from storage.db import Database
from storage.installations import InstallationStore


@dataclass(frozen=True)
class Deps:
    """Everything a listener, job or command needs; build it with `bootstrap`."""

    settings: Settings
    db: Database
    clock: Clock
    calendar: SchoolCalendar  # SCHOOL_CALENDAR, checked when settings load
    forms: FormLibrary
    roster: RosterService
    observations: ObservationService
    targets: TargetService
    meetings: MeetingService
    reminders: ReminderService
    digests: DigestBuilder  # the week's read model: digests, the digest preview and lead/SLT Homes
    nudges: NudgeService  # the lead digest's Nudge: whom it names, once a day
    home: HomeService
    concerns: ConcernService
    plans: PlanService
    probation: ProbationService
    warnings: WarningService  # early warnings, for the lead's Home and digest
    slack: SlackClients  # the bot's Web API client, per workspace
    reviews: ReviewService  # induction details, schedules and reminders
    review_writing: ReviewWriting  # drafting, saving and signing reviews
    review_reports: ReviewReports  # a review read for its PDF and CSV
    certification: CertificationService  # mentors' certification: evidence, reflections, training, panels
    coaching: CoachingService  # the staff list, coaching triplets and their takeaways
    visits: VisitService  # peer visits and learning walks

    def now(self) -> datetime:
        return self.clock()


def bootstrap(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    db: Database | None = None,
    forms: FormLibrary | None = None,
) -> Deps:
    """Build everything once. `db` and `forms` are for callers that already hold them (a migrated database,
    forms checked before starting); otherwise they come from DATABASE_URL and OBSERVATION_FORMS_DIR."""
    db = db or Database.from_url(settings.database_url)
    forms = forms or load_forms(settings.observation_forms_dir)
    calendar = load_calendar(settings.school_calendar)
    tz = settings.tz
    targets = TargetService(db, calendar, tz)
    warnings = WarningService(db, calendar, tz, load_thresholds(settings.early_warnings))
    digests = DigestBuilder(db, calendar, warnings=warnings)
    reviews = ReviewService(db, calendar, tz)
    writing = ReviewWriting(reviews, load_questions(settings.appropriate_body_questions))
    certification = CertificationService(db, load_scheme(settings.certification_scheme), tz)
    home_settings = HomeSettings(
        calendar_name=calendar.name, digest_day=settings.digest_day, digest_time=settings.digest_time
    )
    return Deps(
        settings=settings,
        db=db,
        clock=clock,
        calendar=calendar,
        forms=forms,
        roster=RosterService(db),
        observations=ObservationService(db, forms, tz),
        targets=targets,
        meetings=MeetingService(db, calendar, tz, targets),
        reminders=ReminderService(db, calendar, tz),
        digests=digests,
        nudges=NudgeService(db, digests, tz),
        home=HomeService(
            db,
            calendar,
            forms,
            tz,
            home_settings,
            digests=digests,
            reviews=reviews,
            warnings=warnings,
            certification=certification,
            shared=SharedReads(db.data_version, max_age=settings.home_shared_reads_seconds),
        ),
        concerns=ConcernService(db, forms, tz),
        plans=PlanService(db, calendar, tz),
        probation=ProbationService(db, calendar, tz),
        warnings=warnings,
        slack=slack_clients(settings, db),
        reviews=reviews,
        review_writing=writing,
        review_reports=ReviewReports(writing),
        certification=certification,
        coaching=CoachingService(db, calendar, tz),
        visits=VisitService(db, calendar, tz),
    )


def slack_clients(settings: Settings, db: Database) -> SlackClients:
    """The Web API clients: the bot token's (token mode), or each installed workspace's (OAuth mode)."""
    client = make_web_client(settings)
    if not settings.oauth or settings.slack_client_id is None or settings.slack_client_secret is None:
        return SlackClients(client)
    installations = InstallationStore(settings.slack_client_id, db.engine)
    # Token rotation: jobs refresh an expiring token with oauth.v2.access at SLACK_API_URL (requests: Bolt does).
    rotator = TokenRotator(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        client=client,
    )
    return SlackClients(client, installations, rotator)
