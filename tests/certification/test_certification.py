"""Mentor certification end to end: a term of mentoring logged through the bot's own commands gathers itself
as evidence under the mentor standards and criteria; `/evidence` reflections and training hours; the lead digest
names a mentor behind on training; the portfolio PDF in the requester's DM (reflections and evidence, never a
mentee's private note); a lead mentor's tick, comment and panel outcome; the register and its CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

import bot.__main__ as cli
from bot.app.bootstrap import Deps
from bot.app.digests import send_digests
from bot.digests.service import Week
from handlers.certification import ids
from handlers.slack.directory import SlackDirectory
from storage.certification import CriterionTick, PanelOutcome, PanelResult, Reflection, TrainingSession
from storage.db import Database
from storage.meetings import Meeting
from storage.roster import AuditEntry
from storage.targets import Target
from tests.conftest import BackendDatabase
from tests.home.test_home import buttons, text_of
from tests.home.test_home import open_home as open_home_now
from tests.support.certification import (
    MENTEE_REFLECTION,
    PRIVATE_NOTES,
    back_to_now,
    log_meeting,
    observe,
    open_view,
    pdf_text,
    quiet,
    submit,
)
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.people import ADMIN, AMY, BEN, CAL, DEE, EVA, LEO, NOW, SAM, SIGNING_SECRET, TEAM, mention
from tests.support.school import add_people, enrol
from tests.support.slack import block_text, reply_to

T = TypeVar("T")
REFLECTION = "I moved our meetings to Tuesday mornings so Ben could bring the week's questions while fresh."
QUOTE = "Ben: the Tuesday slot means I come with real questions."


@pytest.fixture(autouse=True)
def school(slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock) -> None:
    """Amy mentors Ben (a trainee) and Cal (an ECT) since September; Dee mentors Eva (an ECT); Leo is lead mentor,
    Sam SLT."""
    add_people(emulator, ADMIN, AMY, BEN, CAL, DEE, EVA, LEO, SAM)
    enrol(slack, clock, mentees={BEN: "trainee", CAL: "ect"}, slt=SAM, days_ago=84, reset=False)
    enrol(slack, clock, mentor=DEE, mentees={EVA: "ect"}, lead=None, days_ago=84)


def a_term_of_mentoring(slack: SlackDriver, clock: FakeClock, db: Database) -> None:
    """Four weekly meetings (targets set and reviewed, three signed off) and two observations with feedback."""
    log_meeting(slack, clock, date(2026, 10, 6), target="Use hinge questions in every maths lesson by Friday week")
    [hinge] = _rows(db, Target)
    log_meeting(slack, clock, date(2026, 10, 13), review={str(hinge.id): "met"}, target="Cold call by Friday")
    observe(slack, clock, date(2026, 10, 14), reflect=True)
    log_meeting(slack, clock, date(2026, 10, 20))
    observe(slack, clock, date(2026, 11, 18))
    log_meeting(slack, clock, date(2026, 11, 23), signed=False)
    back_to_now(clock)


def open_home(slack: SlackDriver, user: str) -> dict[str, Any]:
    """The Home as it stands once every change before it has been refreshed."""
    quiet(slack.emulator)
    return open_home_now(slack, user)


def _rows(db: Database, model: type[T]) -> list[T]:
    with db.unit_of_work() as session:
        return list(session.scalars(select(model).order_by(model.id)).all())  # type: ignore[attr-defined]


def write_reflection(slack: SlackDriver, *, standards: list[str], records: int = 1) -> dict[str, Any] | None:
    view = open_view(slack, ids.EVIDENCE, "", user=AMY)
    assert view["callback_id"] == ids.REFLECTION_CALLBACK
    menu = [b for b in view["blocks"] if b.get("block_id") == "records"]
    options = [o["value"] for o in menu[0]["element"]["options"]][:records] if menu else []
    answers = {"text": REFLECTION, "standards": standards, "records": options, "quote": QUOTE}
    return submit(slack, view, answers, user=AMY)


def log_training(slack: SlackDriver, user: str, day: str, hours: str, topic: str = "Instructional coaching") -> None:
    view = open_view(slack, ids.EVIDENCE, "training", user=user)
    assert view["callback_id"] == ids.TRAINING_CALLBACK
    answers = {"held_on": day, "hours": hours, "provider": "Teaching School Hub", "topic": topic}
    assert submit(slack, view, answers, user=user) is None


def test_a_term_of_logged_work_shows_up_as_evidence_under_the_right_standards_with_no_extra_step(
    slack: SlackDriver, db: Database, clock: FakeClock, deps: Deps
) -> None:
    a_term_of_mentoring(slack, clock, db)

    home = text_of(open_home(slack, AMY))

    assert "Your certification" in home
    assert "*Entry level:* 0 of 8 criteria met" in home
    # Standard 1: meetings held (4) + signed off (3) + observations reflected on (1)
    assert "*Standard 1: Personal qualities*: 0 reflections, 8 records" in home
    # Standard 2: observations with feedback (2) + reflected (1) + targets set (2) + reviewed at a meeting (2)
    assert "*Standard 2: Teaching*: 0 reflections, 7 records" in home
    assert "*Standard 4: Self-development and working in partnership*: 0 reflections, 0 records" in home
    assert "Lesson feedback promotes challenge, offering support and constructive advice: 2 of 3" in home
    assert (
        "All weekly training meetings and targets signed off: 3 of 6 meetings signed off by the mentee; "
        "2 of 3 targets reviewed (met, progressing or closed)"
    ) in home
    progress = deps.certification.lead_view(deps.roster.caller(TEAM, LEO, _directory(deps), NOW), AMY, NOW)
    counts = {g.kind: (g.count, g.dates[:1]) for g in progress.gathered}
    assert counts["meetings_held"] == (4, [date(2026, 10, 6)])
    assert counts["meetings_signed_off"] == (3, [date(2026, 10, 6)])
    assert counts["observations_with_feedback"] == (2, [date(2026, 10, 14)])
    assert counts["observations_reflected"] == (1, [date(2026, 10, 14)])
    assert counts["targets_set"][0] == 2 and counts["targets_reviewed"] == (2, [date(2026, 10, 13)])
    assert _rows(db, Reflection) == []  # nothing was asked of the mentor
    assert "Your certification" not in text_of(open_home(slack, BEN))  # a mentee sees none of it


def _directory(deps: Deps) -> SlackDirectory:
    return SlackDirectory(deps.slack.client)


def test_a_reflection_is_written_tagged_and_counts_towards_its_standards(
    slack: SlackDriver, db: Database, clock: FakeClock
) -> None:
    a_term_of_mentoring(slack, clock, db)

    refused = write_reflection(slack, standards=[])
    assert refused is not None and refused["response_action"] == "errors"
    assert refused["errors"] == {"standards": "Tag at least one standard this reflection shows."}
    assert write_reflection(slack, standards=["1", "4"]) is None

    [stored] = _rows(db, Reflection)
    assert (stored.mentor_id, stored.text, stored.standards, stored.quote) == (AMY, REFLECTION, ["1", "4"], QUOTE)
    latest = _rows(db, Meeting)[-1]  # the menu lists the newest first
    assert stored.records == [f"meeting:{latest.id}"] and stored.written_on == date(2026, 11, 24)
    home = text_of(open_home(slack, AMY))
    assert "*Standard 1: Personal qualities*: 1 reflection, 8 records" in home
    assert "*Standard 3: Professionalism*: 0 reflections" in home


def test_a_double_submitted_reflection_is_stored_once(slack: SlackDriver, db: Database) -> None:
    view = open_view(slack, ids.EVIDENCE, "", user=AMY)
    for _ in range(2):
        submit(slack, view, {"text": REFLECTION, "standards": ["2"]}, user=AMY)
    assert len(_rows(db, Reflection)) == 1


def test_a_mentee_cannot_add_evidence_and_is_told_who_can(slack: SlackDriver, emulator: SlackEmulator) -> None:
    reply = reply_to(slack, ids.EVIDENCE, "", user=BEN)
    assert "only mentors and lead mentors can add reflections and training" in reply
    assert emulator.calls_to("views.open") == []


def test_training_hours_add_up_and_a_mentor_behind_target_is_in_the_lead_digest(
    slack: SlackDriver, db: Database, emulator: SlackEmulator, deps: Deps
) -> None:
    log_training(slack, AMY, "2026-09-30", "1.5")
    log_training(slack, AMY, "2026-11-04", "60m")
    log_training(slack, DEE, "2026-10-21", "5")
    bad = open_view(slack, ids.EVIDENCE, "training", user=AMY)
    refused = submit(slack, bad, {"held_on": "2026-12-25", "hours": "lots", "provider": "Hub", "topic": "x"}, user=AMY)
    assert set(refused["errors"]) == {"held_on", "hours"}

    assert sorted(s.minutes for s in _rows(db, TrainingSession)) == [60, 90, 300]
    home = text_of(open_home(slack, AMY))
    # 84 days into her first year with an ECT: 20 × 84 / 365 = 4.6 hours expected
    assert "*Training:* 2.5 of 20 hours in your first year (behind: 4.6 expected by now)" in home
    assert "*Training:* 5 of 20 hours in your first year (on track)" in text_of(open_home(slack, DEE))

    emulator.reset()
    send_digests(deps, TEAM, Week.containing(NOW.date()), NOW)
    digest = wait_until(lambda: emulator.messages_to(LEO), what="the lead digest")
    shown = "\n".join(block_text(m.get("blocks", [])) for m in digest)
    assert "*Mentors behind on training hours* (first year with ECTs)" in shown
    assert "<@UAMY0001>: 2.5 of 20 hours logged (4.8 expected by now)" in shown
    assert "<@UDEE0001>" not in shown.split("behind on training hours")[1].split("*On track*")[0]


def test_the_portfolio_pdf_holds_reflections_and_evidence_but_no_mentees_private_note(
    slack: SlackDriver, db: Database, clock: FakeClock, emulator: SlackEmulator
) -> None:
    a_term_of_mentoring(slack, clock, db)
    assert write_reflection(slack, standards=["1"]) is None
    log_training(slack, AMY, "2026-10-01", "2")
    emulator.reset()

    reply = reply_to(slack, "/mentor", "portfolio", user=AMY)

    assert "Preparing your certification portfolio: the PDF will be in our DM" in reply
    assert "Tick a criterion" not in reply  # the lead's buttons are not the mentor's
    [upload] = wait_until(lambda: emulator.uploaded_files, timeout=30, what="the portfolio PDF")
    assert upload["filename"] == "amy-mentor-mentor-portfolio-2026-11-24.pdf"
    assert upload["channels"] and upload["channels"][0].startswith("D")
    text = pdf_text(upload["content"])
    assert "Mentor portfolio: Amy Mentor" in text
    assert (
        text.index("Standard 1: Personal qualities")
        < text.index(REFLECTION[:40])
        < text.index("Evidence gathered from my mentoring")
    )
    assert QUOTE in text and "Meeting of 23 Nov 2026" in text
    assert "Weekly meetings held 4 6 Oct 2026 – 23 Nov 2026" in text
    assert "Lesson observations with written feedback 2 14 Oct 2026 – 18 Nov 2026" in text
    assert "Teaching School Hub" in text
    for private in (PRIVATE_NOTES, MENTEE_REFLECTION, "Talked through the week", "Calm routines on"):
        assert private[:30] not in text
    entry = _rows(db, AuditEntry)[-1]
    assert (entry.actor_id, entry.action, entry.subject_id) == (AMY, "certification.read", AMY)


def test_a_mentee_cannot_see_their_mentors_portfolio(slack: SlackDriver, emulator: SlackEmulator) -> None:
    reply = reply_to(slack, "/mentor", f"portfolio {mention(AMY)}", user=BEN)
    assert "only the mentor themselves, lead mentors and SLT can see this mentor's certification portfolio" in reply
    assert emulator.uploaded_files == []


def test_a_lead_ticks_comments_records_the_panel_outcome_and_the_register_lists_it(
    slack: SlackDriver,
    db: Database,
    emulator: SlackEmulator,
    backend: BackendDatabase,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert write_reflection(slack, standards=["2"], records=0) is None
    reply = reply_to(slack, "/mentor", f"portfolio {mention(AMY)}", user=LEO)
    assert "Preparing <@UAMY0001>'s certification portfolio" in reply
    response = emulator.responses[-1]
    message = {"ts": "1700000000.000200", "type": "message", "text": response["text"], "blocks": response["blocks"]}

    def open_by(action_id: str) -> dict[str, Any]:
        opened = len(emulator.calls_to("views.open"))
        clicked = slack.click(action_id, user=LEO, value=AMY, block_id=ids.LEAD_ACTIONS_BLOCK, message=message)
        assert clicked.status == 200
        wait_until(lambda: len(emulator.calls_to("views.open")) > opened, what=f"the {action_id} modal")
        return emulator.open_views()[-1]

    tick = open_by(ids.TICK_OPEN)
    answers = {"criterion": "pre_entry_audit", "ticked_on": "2026-09-15", "note": "Signed copy in the ITT file."}
    assert submit(slack, tick, answers, user=LEO) is None
    [ticked] = _rows(db, CriterionTick)
    assert (ticked.mentor_id, ticked.criterion, ticked.ticked_on, ticked.ticked_by) == (
        AMY, "pre_entry_audit", date(2026, 9, 15), LEO,
    )  # fmt: skip

    comment = open_by(ids.COMMENT_OPEN)
    [reflection] = _rows(db, Reflection)
    assert submit(slack, comment, {"reflection": str(reflection.id), "comment": "A clear story."}, user=LEO) is None
    told = wait_until(lambda: [m for m in emulator.messages_to(AMY) if "commented" in m["text"]], what="the DM")
    assert "A clear story." in told[0]["text"]
    assert _rows(db, Reflection)[0].comment == "A clear story."

    panel = open_by(ids.OUTCOME_OPEN)
    refused = submit(slack, panel, {"level": "entry", "outcome": "more_evidence", "panel_on": "2026-11-18"}, user=LEO)
    assert refused["errors"] == {"more": "Say what more evidence the panel asked for, so the mentor knows what to add."}
    answers = {"level": "mastery", "outcome": "awarded", "panel_on": "2026-11-18"}
    assert submit(slack, panel, answers, user=LEO) is None
    [outcome] = _rows(db, PanelResult)
    assert (outcome.mentor_id, outcome.level, outcome.outcome, outcome.panel_on) == (
        AMY, "mastery", PanelOutcome.AWARDED, date(2026, 11, 18),
    )  # fmt: skip
    awarded = wait_until(lambda: [m for m in emulator.messages_to(AMY) if "awarded" in m["text"]], what="the DM")
    assert "awarded you *Mastery level (Qualified Mentor Status)*" in awarded[0]["text"]

    register = reply_to(slack, "/mentor", "register", user=SAM)
    assert "<@UAMY0001>: Mastery level (Qualified Mentor Status), 18 November 2026" in register
    assert "only lead mentors, SLT and the bot's admins" in reply_to(slack, "/mentor", "register", user=AMY)

    for name, value in (
        ("SLACK_BOT_TOKEN", emulator.bot_token),
        ("SLACK_SIGNING_SECRET", SIGNING_SECRET),
        ("SLACK_API_URL", emulator.api_url),
        ("DATABASE_URL", backend.url),
    ):
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["mentors", "export", "--team", TEAM, "--out", "register.csv"]) == 0
    assert "1 certified mentor in T0001: register.csv" in capsys.readouterr().out
    rows = list(csv.reader(io.StringIO((tmp_path / "register.csv").read_bytes().decode("utf-8-sig"))))
    assert rows == [
        ["mentor_id", "name", "email", "level", "awarded_on"],
        [AMY, "Amy Mentor", rows[1][2], "Mastery level (Qualified Mentor Status)", "2026-11-18"],
    ]
    assert cli.main(["mentors", "export", "--team", TEAM, "--out", "register.csv"]) == 1  # never overwritten
    assert "register.csv already exists" in capsys.readouterr().err


def test_other_words_after_evidence_get_the_usage_and_open_nothing(slack: SlackDriver, emulator: SlackEmulator) -> None:
    reply = reply_to(slack, ids.EVIDENCE, "hours 3", user=AMY)
    assert "`/evidence training` logs a mentor training session" in reply
    assert emulator.calls_to("views.open") == []


def test_the_home_tabs_buttons_open_the_reflection_and_training_modals(
    slack: SlackDriver, emulator: SlackEmulator
) -> None:
    home = open_home(slack, AMY)
    for action_id, callback_id in (
        (ids.REFLECT_OPEN, ids.REFLECTION_CALLBACK),
        (ids.TRAINING_OPEN, ids.TRAINING_CALLBACK),
    ):
        [(element, block_id)] = buttons(home, action_id)
        emulator.reset()
        result = slack.click(action_id, user=AMY, value=element["value"], block_id=block_id, view=home)
        assert result.status == 200
        wait_until(lambda: emulator.calls_to("views.open"), what=f"the {callback_id} modal")
        assert emulator.open_views()[-1]["callback_id"] == callback_id
