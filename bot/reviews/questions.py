"""The appropriate body's extra questions, from a small TOML file (see `bot/reviews/appropriate-body.toml`).

`load_questions` is the only function here that touches the disk; a bad file raises QuestionsError naming
the file and the question.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from storage.reviews import ReviewKind

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
LABEL_LIMIT = 150


class QuestionsError(ValueError):
    """The questions file is missing or wrong; the message names the file and what to fix."""


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    kinds: frozenset[ReviewKind]
    required: bool = False


@dataclass(frozen=True)
class Questions:
    name: str
    questions: tuple[Question, ...] = ()

    def for_kind(self, kind: ReviewKind) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if kind in q.kinds)


def default_questions_path() -> Path:
    return Path(__file__).resolve().parent / "appropriate-body.toml"


def load_questions(path: Path | str | None = None) -> Questions:
    path = Path(path) if path is not None else default_questions_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise QuestionsError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise QuestionsError(f"{path}: can't read it ({exc})") from exc
    questions: list[Question] = []
    for i, raw in enumerate(data.get("questions", []), start=1):
        key = raw.get("key") if isinstance(raw, dict) else None
        where = f"{path}, question {i}"
        if not isinstance(key, str) or not _KEY.match(key):
            raise QuestionsError(f"{where}: “key” must be a short name in lower case letters, digits and _")
        if key in {q.key for q in questions}:
            raise QuestionsError(f"{where}: the key “{key}” is used twice")
        label = raw.get("label")
        if not isinstance(label, str) or not label.strip() or len(label) > LABEL_LIMIT:
            raise QuestionsError(f"{where}: “label” must be the question, up to {LABEL_LIMIT} characters")
        kinds = raw.get("for", [k.value for k in ReviewKind])
        try:
            chosen = frozenset(ReviewKind(k) for k in kinds)
        except (TypeError, ValueError):
            allowed = ", ".join(k.value for k in ReviewKind)
            raise QuestionsError(f"{where}: “for” lists review kinds: {allowed}") from None
        questions.append(Question(key, label.strip(), chosen, bool(raw.get("required", False))))
    return Questions(str(data.get("name", "Appropriate body")), tuple(questions))
