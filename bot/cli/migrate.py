"""`python -m bot migrate`."""

from __future__ import annotations

from bot.app.settings import Settings
from bot.cli.common import ready_database


def run(settings: Settings) -> None:
    ready_database(settings)
    print("The database is up to date.")
