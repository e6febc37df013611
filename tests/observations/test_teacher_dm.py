"""The teacher's observation DM carries each rating's comment (issue 12.6), cut to fit Slack's limits."""

from __future__ import annotations

import pytest

from storage.db import Database
from storage.observations import Rating
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.observations import STANDARDS, dms_to, full_answers, observations, open_form, submit
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


def test_na_for_the_rest_fills_every_unrated_standard_in_one_tick(slack: SlackDriver, db: Database) -> None:
    view = open_form(slack, mention(BEN))
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert "initial_option" not in inputs["field:standard_1"]["element"]  # still no default rating
    box = inputs["rest_not_applicable"]
    assert box["element"]["type"] == "checkboxes" and box["label"]["text"] == "N/A for the rest"
    assert len(view["blocks"]) <= 100
    seen_only = {f"field:{key}": None for key in STANDARDS[3:]}

    refused = submit(slack, view, full_answers(**seen_only))  # left blank without the tick: asked for each
    assert "or tick “N/A for the rest”" in refused["errors"]["field:standard_4"]
    assert observations(db) == []

    assert submit(slack, view, full_answers(**seen_only, rest_not_applicable=["yes"])) is None

    [stored] = observations(db)
    ratings = {key: stored.entry(key).rating for key in STANDARDS}  # type: ignore[union-attr]
    assert ratings["standard_1"] is Rating.PARTLY and ratings["standard_3"] is Rating.NOT_DEMONSTRATED
    assert all(ratings[key] is Rating.NOT_APPLICABLE for key in STANDARDS[3:])
