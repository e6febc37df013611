"""`python -m bot report --team T… --user U… [--review "term 3"] [--out DIR]`: a review's PDF and CSV, written
to files for the operator (who holds the server and the database). The report is in the audit log."""

from __future__ import annotations

from pathlib import Path

from bot.app.settings import Settings
from bot.cli import Exit
from bot.cli.common import ready_deps
from bot.core.clock import system_clock
from bot.core.errors import DomainError
from bot.reviews.report import review_csv, review_pdf


def run(settings: Settings, team_id: str, user_id: str, which: str | None, out: Path) -> None:
    deps = ready_deps(settings)
    try:
        data = deps.review_reports.report_for_operator(team_id, user_id, which, system_clock())
    except DomainError as exc:
        raise Exit(str(exc).replace(f"<@{user_id}>", user_id), code=1) from None
    out.mkdir(parents=True, exist_ok=True)
    pdf, summarised = review_pdf(data, settings.tz)
    pdf_path, csv_path = out / f"{data.filename}.pdf", out / f"{data.filename}.csv"
    pdf_path.write_bytes(pdf)
    csv_path.write_bytes(review_csv(data, settings.tz))
    print(f"{data.title} for {data.teacher} (version {data.version}):")
    print(f"  {pdf_path}{'  (summarised to fit Slack’s upload limit)' if summarised else ''}")
    print(f"  {csv_path}")
