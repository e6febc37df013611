"""`/target list` with no name (issue 12): a mentee sees theirs, a mentor each mentee's, a lead is asked for one."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver
from tests.support.people import LONDON
from tests.support.slack import mention
from tests.targets.test_targets import (  # noqa: F401  (school: autouse)
    AMY,
    BEN,
    CAT,
    DEV,
    LEO,
    act,
    ask,
    element,
    school,
    seen,
)


@pytest.fixture(autouse=True)
def two_targets(school: None, slack: SlackDriver, clock: FakeClock) -> None:  # noqa: F811
    """On Wednesday 2 December Amy sets Ben one target and Dev one."""
    clock.now = datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)
    act(slack, ask(slack, f"{mention(BEN)} Use cold calling in every lesson by Friday"), "target_draft_confirm")
    act(slack, ask(slack, f"{mention(DEV)} Narrate the positive at transitions by Monday"), "target_draft_confirm")


def test_a_mentor_sees_each_mentees_open_targets_grouped(slack: SlackDriver) -> None:
    listing = ask(slack, "list", user=AMY)

    text = seen(listing)
    assert "has no open targets" not in text and f"<@{AMY}>" not in text
    ben, dev = text.index("Ben Trainee"), text.index("Dev Early")
    assert ben < text.index("Use cold calling in every lesson — due Fri 4 Dec") < dev
    assert dev < text.index("Narrate the positive at transitions — due Mon 7 Dec")
    assert "2 open targets for 2 people" in listing["text"]
    element(listing, "target_met")  # the mentor can close them from here


def test_a_mentee_sees_their_own(slack: SlackDriver) -> None:
    listing = ask(slack, "list", user=BEN)

    text = seen(listing)
    assert "Open targets for Ben Trainee" in text and "Use cold calling in every lesson" in text
    assert "Narrate the positive" not in text
    element(listing, "target_ready")


def test_a_lead_who_mentors_no_one_is_asked_to_name_someone(slack: SlackDriver) -> None:
    listing = ask(slack, "list", user=LEO)

    assert "Name the mentee whose targets you want, e.g. `/target list @ana`" in seen(listing)
    assert "Use cold calling" not in seen(listing)
    assert "Use cold calling in every lesson" in seen(ask(slack, f"list {mention(BEN)}", user=LEO))


def test_someone_with_no_targets_is_told_so_in_their_own_words(slack: SlackDriver) -> None:
    assert "You have no open targets." in seen(ask(slack, "list", user=CAT))
