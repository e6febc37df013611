"""Everything a handler or job needs, built once by `bootstrap`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import Clock, system_clock
from bot.services.roster import RosterService
from bot.settings import Settings
from storage.db import Database


@dataclass
class Deps:
    settings: Settings
    db: Database
    clock: Clock = field(default=system_clock)
    roster: RosterService = field(init=False)

    def __post_init__(self) -> None:
        self.roster = RosterService(self.db)

    def now(self) -> datetime:
        return self.clock()


def bootstrap(settings: Settings, *, clock: Clock = system_clock) -> Deps:
    return Deps(settings=settings, db=Database.from_url(settings.database_url), clock=clock)
