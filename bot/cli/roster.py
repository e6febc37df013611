"""`python -m bot roster import`."""

from __future__ import annotations

from pathlib import Path

from bot.app.settings import Settings
from bot.cli import Exit
from bot.cli.common import ready_deps, token_workspace
from bot.core.errors import DomainError
from bot.core.words import counted
from bot.reviews.roster_columns import RosterInductions
from bot.roster.csv_import import read_roster_csv


def import_file(settings: Settings, file: Path, team: str | None) -> None:
    try:
        rows = read_roster_csv(file)  # format problems travel with the rows, reported with the rest
    except DomainError as exc:
        raise Exit(str(exc)) from None
    deps = ready_deps(settings)
    team_id = token_workspace(deps, team)
    try:
        directory = deps.slack.directory(team_id)
        report = deps.roster.import_rows(team_id, rows, directory, deps.now(), RosterInductions(deps.reviews))
    except DomainError as exc:
        raise Exit(str(exc)) from None
    print(f"Imported {counted(report.created, 'mentorship')} ({report.unchanged} already there, left as they were).")
    if report.inductions:
        print(f"Induction details set for {counted(report.inductions, 'ECT')}: their review schedules follow them.")
