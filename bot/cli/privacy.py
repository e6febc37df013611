"""`python -m bot privacy export|erase|retention`: UK GDPR tools."""

from __future__ import annotations

import argparse
import re
from datetime import datetime
from pathlib import Path

from bot.app.bootstrap import Deps
from bot.app.settings import Settings
from bot.cli import Exit
from bot.cli.common import ready_deps
from bot.privacy import service as gdpr


def _slack_id(value: str | None, kind: str, flag: str) -> None:
    if value is not None and not re.fullmatch(r"[A-Z0-9]{3,32}", value):
        raise Exit(f"{flag} {value!r} isn't a Slack {kind} id: they look like {kind[0].upper()}0123ABCD.", code=2)


def run(settings: Settings, args: argparse.Namespace) -> None:
    _slack_id(args.team, "team", "--team")
    _slack_id(getattr(args, "user", None), "user", "--user")
    deps = ready_deps(settings)
    now = deps.now()
    try:
        if args.privacy_command == "export":
            _export(deps, args.team, args.user, args.out, now)
        elif args.privacy_command == "erase":
            _erase(deps, args.team, args.user, now, confirmed=args.yes)
        else:
            report = gdpr.erase_expired(deps.db, now, settings.retention_days, team_id=args.team, dry_run=args.dry_run)
            if report.cutoff is None:
                print("RETENTION_DAYS is 0: records are kept for ever, so nobody was erased.")
                return
            verb = "Would erase" if args.dry_run else "Erased"
            print(
                f"{verb} {len(report.erased)} people whose last mentorship ended before "
                f"{report.cutoff:%-d %B %Y} (RETENTION_DAYS={report.retention_days})"
                + (f": now {', '.join(report.pseudonyms)}." if report.erased and not args.dry_run else ".")
            )
    except (gdpr.RegistryIncomplete, ValueError) as exc:
        raise Exit(str(exc)) from None


def _export(deps: Deps, team_id: str, user_id: str, out: Path, now: datetime) -> None:
    data = gdpr.export_person(deps.db, team_id, user_id, now)
    if not data.count:
        raise Exit(f"Nothing is held about {user_id} in workspace {team_id}: check --team and --user.")
    try:
        # Only the PDF's field labels come from the forms: with none loaded, it shows the field keys.
        paths = gdpr.write_export(data, out, forms=deps.forms, tz=deps.settings.tz)
    except OSError as exc:
        raise Exit(f"Could not write the export to {out}: {exc.strerror or exc}.") from None
    print(f"Exported {data.count} records about {user_id} (readable by you only, mode 0600):")
    for path in paths:
        print(f"  {path.resolve()}")
    print("They may name other people (mentors, observers): check them before passing them on.")


def _erase(deps: Deps, team_id: str, user_id: str, now: datetime, *, confirmed: bool) -> None:
    db = deps.db
    if not confirmed:
        plan = gdpr.preview_erasure(db, team_id, user_id, now)
        if not plan.found:
            raise Exit(f"Nothing is held about {user_id} in workspace {team_id}: check --team and --user.")
        print(f"Erasing {user_id} in workspace {team_id} will:")
        for line in plan.describe():
            print(f"  {line}")
        print("Their Slack id becomes a pseudonym (UERASED…) everywhere; counts of observations, meetings and")
        print("targets stay. This can't be undone.")
        try:
            answer = input("Type ERASE to go ahead: ")
        except EOFError:
            print()
            answer = ""
        if answer.strip() != "ERASE":
            raise Exit("Nothing was changed.")
    report = gdpr.erase_person(db, team_id, user_id, now)
    if not report.found:
        raise Exit(f"Nothing is held about {user_id} in workspace {team_id}: check --team and --user.")
    print("Changed:")
    for line in report.describe():
        print(f"  {line}")
    print(f"Erased. Their records now carry the pseudonym {report.pseudonym}; the audit log says so.")
