"""Everything a handler or job needs, built once by `bootstrap`."""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field
from datetime import datetime

from bot.clock import Clock, system_clock
from bot.services.forms import FormLibrary, load_forms
from bot.services.observations import ObservationService
from bot.services.roster import RosterService
from bot.settings import Settings
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

    def __post_init__(self, preloaded_forms: FormLibrary | None) -> None:
        self.roster = RosterService(self.db)
        self.forms = preloaded_forms or load_forms(self.settings.observation_forms_dir)
        self.observations = ObservationService(self.db, self.forms, self.settings.tz)

    def now(self) -> datetime:
        return self.clock()


def bootstrap(settings: Settings, *, clock: Clock = system_clock) -> Deps:
    return Deps(settings=settings, db=Database.from_url(settings.database_url), clock=clock)
