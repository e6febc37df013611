"""The appropriate body's questions file: the shipped one loads, and a bad one names what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.reviews.questions import QuestionsError, load_questions
from storage.reviews import ReviewKind


def test_the_shipped_questions_load_and_say_which_reviews_ask_them() -> None:
    questions = load_questions()
    assert [q.key for q in questions.for_kind(ReviewKind.PROGRESS)] == ["entitlement", "support"]
    assert [q.key for q in questions.for_kind(ReviewKind.PROVIDER)] == ["support"]
    assert questions.questions[0].required and not questions.questions[1].required


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('[[questions]]\nkey = "Bad Key"\nlabel = "Q?"', "“key” must be a short name"),
        ('[[questions]]\nkey = "a"\nlabel = "Q?"\n[[questions]]\nkey = "a"\nlabel = "R?"', "used twice"),
        ('[[questions]]\nkey = "a"\nlabel = ""', "“label” must be the question"),
        ('[[questions]]\nkey = "a"\nlabel = "Q?"\nfor = ["weekly"]', "“for” lists review kinds"),
        ("[[questions", "can't read it"),
    ],
)
def test_a_bad_questions_file_names_the_file_and_the_problem(tmp_path: Path, body: str, problem: str) -> None:
    path = tmp_path / "ab.toml"
    path.write_text(body)
    with pytest.raises(QuestionsError) as raised:
        load_questions(path)
    assert str(path) in str(raised.value) and problem in str(raised.value)
