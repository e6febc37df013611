"""`python -m bot roster import`."""

from __future__ import annotations

from pathlib import Path

from bot.app.settings import Settings
from bot.cli import Exit
from bot.cli.common import ready_deps, token_workspace
from bot.core.errors import DomainError
from bot.roster.csv_import import read_roster_csv


def import_file(settings: Settings, file: Path, team_id: str) -> None:
    try:
        rows = read_roster_csv(file)  # every bad line is reported before anything is stored
    except DomainError as exc:
        raise Exit(str(exc)) from None
    deps = ready_deps(settings)
    token_workspace(deps, team_id)
    try:
        report = deps.roster.import_rows(team_id, rows, deps.slack.directory(team_id), deps.now())
    except DomainError as exc:
        raise Exit(str(exc)) from None
    print(f"Imported {report.created} mentorships ({report.unchanged} already there, left as they were).")
