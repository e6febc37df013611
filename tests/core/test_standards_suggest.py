"""Keyword suggestions of Teachers' Standards for a target."""

from __future__ import annotations

import pytest

from bot.core.standards import suggest_standards


@pytest.mark.parametrize(
    ("text", "standards"),
    [
        ("Set high expectations and more challenge for the top set", [1]),
        ("Check prior knowledge before moving on so every pupil makes progress", [2]),
        ("Secure your subject knowledge of phase 3 phonics", [3]),
        ("Tighten the curriculum sequence in Year 8 history", [3, 4]),
        ("Plan the lesson structure and timing so there is time for a plenary", [4]),
        ("Adapt tasks for SEND and EAL pupils with better scaffolds", [5]),
        ("Differentiate the reading task", [5]),
        ("Use questioning for assessment and give whole-class feedback", [6]),
        ("Use cold calling and mini-whiteboards to check for understanding", [6]),
        ("Keep on top of marking", [6]),
        ("Use the behaviour policy: routines, sanctions and praise", [7]),
        ("Improve behavior management (American English)", [7]),
        ("Share your seating plan", [7]),  # a seating plan is about behaviour, not lesson planning
        ("Use praise and clear routines; adapt tasks for EAL pupils", [5, 7]),
        ("Plan a phonics lesson with scaffolding, then assess with an exit ticket", [3, 4, 5, 6]),
        ("BEHAVIOUR ROUTINES", [7]),
        ("Send me your reflection by Friday", []),  # "send" isn't SEND
        ("Misbehaviour is not the same word", []),
        ("Make a cup of tea", []),
        ("", []),
    ],
)
def test_suggest_standards(text: str, standards: list[int]) -> None:
    assert suggest_standards(text) == standards


def test_results_are_sorted_and_unique() -> None:
    assert suggest_standards("praise praise routines behaviour challenge challenge") == [1, 7]
