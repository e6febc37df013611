"""`python -m bot mentors export --team T… [--out FILE]`: the register of certified mentors (level and date of
each mentor's latest award) as CSV, for the provider's central record."""

from __future__ import annotations

from pathlib import Path

from bot.app.settings import Settings
from bot.certification.service import RegisterRow
from bot.cli import Exit
from bot.cli.common import ready_deps
from bot.privacy.export_files import write_private
from bot.reports.csv import csv_text

HEADER = ["mentor_id", "name", "email", "level", "awarded_on"]


def register_csv(rows: list[RegisterRow]) -> str:
    return csv_text(HEADER, [[r.mentor_id, r.name, r.email, r.level, r.awarded_on.isoformat()] for r in rows])


def export(settings: Settings, team_id: str, out: Path | None) -> None:
    deps = ready_deps(settings)
    rows = deps.certification.register_for_operator(team_id)
    path = out or Path(f"mentor-register-{team_id}.csv")
    try:
        write_private(path, register_csv(rows).encode("utf-8-sig"))
    except FileExistsError:
        raise Exit(f"{path} already exists: move it, or name another file with --out.", code=1) from None
    print(f"{len(rows)} certified {'mentor' if len(rows) == 1 else 'mentors'} in {team_id}: {path}")
