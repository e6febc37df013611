"""Everything a handler or job needs, built once by `bootstrap`."""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field
from datetime import datetime

from bot.app.settings import Settings
from bot.concerns.service import ConcernService
from bot.core.clock import Clock, system_clock
from bot.core.school_calendar import SchoolCalendar, load_calendar
from bot.meetings.service import MeetingService
from bot.observations.forms import FormLibrary, load_forms
from bot.observations.service import ObservationService
from bot.reminders.service import ReminderService
from bot.roster.service import RosterService
from bot.targets.service import TargetService
from storage.db import Database


@dataclass
class Deps:
    settings: Settings
    db: Database
    clock: Clock = field(default=system_clock)
    roster: RosterService = field(init=False)
    preloaded_forms: InitVar[FormLibrary | None] = None  # otherwise loaded from settings
    forms: FormLibrary = field(init=False)
    observations: ObservationService = field(init=False)
    calendar: SchoolCalendar = field(init=False)  # SCHOOL_CALENDAR, checked when settings load
    targets: TargetService = field(init=False)
    meetings: MeetingService = field(init=False)
    reminders: ReminderService = field(init=False)
    concerns: ConcernService = field(init=False)

    def __post_init__(self, preloaded_forms: FormLibrary | None) -> None:
        self.roster = RosterService(self.db)
        self.forms = preloaded_forms or load_forms(self.settings.observation_forms_dir)
        self.observations = ObservationService(self.db, self.forms, self.settings.tz)
        self.calendar = load_calendar(self.settings.school_calendar)
        self.targets = TargetService(self.db, self.calendar, self.settings.tz)
        self.meetings = MeetingService(self.db, self.calendar, self.settings.tz, self.targets)
        self.reminders = ReminderService(self.db, self.calendar, self.settings.tz)
        self.concerns = ConcernService(self.db, self.forms, self.settings.tz)

    def now(self) -> datetime:
        return self.clock()


def bootstrap(settings: Settings, *, clock: Clock = system_clock) -> Deps:
    return Deps(settings=settings, db=Database.from_url(settings.database_url), clock=clock)
