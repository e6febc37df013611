"""The teacher's observation DM carries each rating's comment (issue 12.6), cut to fit Slack's limits."""

from __future__ import annotations

import pytest

from storage.db import Database
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.observations import STANDARDS, dms_to, full_answers, open_form, submit
from tests.support.people import ADMIN, AMY, BEN, LEO
from tests.support.school import add_people, enrol
from tests.support.slack import block_text, mention


@pytest.fixture(autouse=True)
def school(slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock) -> None:
    add_people(emulator, ADMIN, AMY, BEN, LEO)
    enrol(slack, clock, mentees={BEN: "trainee"}, lead=LEO)


def test_each_rating_arrives_with_its_comment_beneath_it(slack: SlackDriver, emulator: SlackEmulator) -> None:
    answers = full_answers(**{"comment:standard_7": "Used <names> & praise well."})
    submit(slack, open_form(slack, mention(BEN)), answers)

    [to_ben] = wait_until(lambda: dms_to(emulator, BEN), what="the teacher's DM")
    seen = block_text(to_ben["blocks"])
    red = seen.index("3 Demonstrate good subject and curriculum knowledge — _Not demonstrated_")
    assert seen.index(">Misconception about denominators went unaddressed.") > red
    assert seen.index(">Misconception") < seen.index("4 Plan and teach well structured lessons")
    assert ">Used &lt;names&gt; &amp; praise well." in seen


def test_long_comments_on_every_standard_are_cut_visibly_within_slacks_limits(
    slack: SlackDriver, emulator: SlackEmulator, db: Database
) -> None:
    long = {f"comment:{key}": f"{key} " + "very detailed feedback " * 120 + "THE END" for key in STANDARDS}
    long["field:strengths"] = "S" * 3000
    long["field:development"] = "D" * 3000
    long["field:next_steps"] = "N" * 3000
    submit(slack, open_form(slack, mention(BEN)), full_answers(**long))

    [to_ben] = wait_until(lambda: dms_to(emulator, BEN), what="the teacher's DM")
    blocks = to_ben["blocks"]
    assert len(blocks) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    seen = block_text(blocks)
    for key in STANDARDS:
        assert f">{key} very detailed feedback" in seen  # every comment starts...
    assert "THE END" not in seen  # ...none runs on past the limit...
    assert seen.count("cut short: *See it in full* for the rest") == len(STANDARDS)  # ...and each says so
    assert blocks[-1]["type"] == "actions"  # the buttons are still there
