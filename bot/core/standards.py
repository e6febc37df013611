"""The Teachers' Standards' short names, and which of them (England, Part One: 1–7) a target is about.

Suggestions come from the target's wording: a light keyword match, whole words only (with common endings,
so "scaffold" finds "scaffolding"), British and American spellings. It only suggests: the mentor chooses.
"""

from __future__ import annotations

import re

# A standard's short name where its full wording won't fit (a chart's axis), keyed as the ECT form keys them.
STANDARD_SHORT_NAME = {
    "standard_1": "1 High expectations",
    "standard_2": "2 Pupils' progress",
    "standard_3": "3 Subject knowledge",
    "standard_4": "4 Planning and teaching",
    "standard_5": "5 Adaptive teaching",
    "standard_6": "6 Assessment",
    "standard_7": "7 Behaviour",
    "standard_8": "8 Wider responsibilities",
    "part_two": "Part 2 Conduct",
}


def standard_short_name(key: str) -> str:
    """“7 Behaviour” for "standard_7"; a key no table knows (another form's) is shown as it is."""
    return STANDARD_SHORT_NAME.get(key, key.replace("_", " "))


# Standard → word stems. Each stem matches as a whole word, optionally followed by a common ending
# (s, es, ed, ing, …). Multi-word stems allow any spacing or a hyphen between words.
_KEYWORDS: dict[int, tuple[str, ...]] = {
    1: (
        "expectation", "challenge", "challenging", "stretch", "aspiration", "aspirational", "ambitious",
        "ambition", "high expectations", "role model",
    ),
    2: (
        "progress", "prior knowledge", "prior learning", "retrieval", "retrieval practice", "recall",
        "metacognition", "metacognitive", "independent learning", "long term memory", "spaced practice",
    ),
    3: (
        "subject knowledge", "phonics", "curriculum", "misconception", "early reading", "literacy",
        "numeracy", "vocabulary", "content knowledge", "subject specific", "disciplinary knowledge",
        "spelling", "grammar",
    ),
    4: (
        "plan", "planning", "lesson plan", "lesson structure", "structure", "timing", "pace", "pacing",
        "plenary", "plenaries", "starter", "do now", "homework", "sequence", "sequencing", "modelling",
        "modeling", "explanation", "worked example", "i do we do you do",
    ),
    5: (
        "adapt", "adaptive", "adaptation", "SEND", "SEN", "SENCo", "SENCO", "EHCP", "EAL", "differentiate",
        "differentiation", "scaffold", "scaffolding", "inclusion", "inclusive", "additional needs",
        "special educational needs", "dyslexia", "dyslexic", "autism", "autistic", "ADHD", "TA", "TAs",
        "teaching assistant",
    ),
    6: (
        "assessment", "assess", "AfL", "feedback", "marking", "mark", "questioning", "question",
        "cold calling", "cold call", "hinge question", "exit ticket", "mini whiteboard", "whiteboard",
        "check for understanding", "checking for understanding", "checking understanding", "data",
        "summative", "formative", "quiz", "quizzes",
    ),
    7: (
        "behaviour", "behavior", "behavioural", "behavioral", "routine", "sanction", "praise", "reward",
        "consequence", "classroom management", "behaviour management", "behavior management",
        "seating plan", "low level disruption", "disruption", "transition", "positive framing",
        "narrate the positive", "attention", "warm strict",
    ),
}  # fmt: skip

# Endings a stem may take: "routine" → "routines", "adapt" → "adapting", "scaffold" → "scaffolded".
_ENDINGS = r"(?:s|es|ed|d|ing|al)?"


def _stem_pattern(stem: str) -> str:
    """A stem as a regex: any spacing or a hyphen between its words, then an optional ending.

    Acronyms (a capital after the first letter: SEND, EAL, AfL, TAs) match only as written, so
    "send me your plan" isn't about SEND.
    """
    words = r"[\s-]+".join(re.escape(word) for word in stem.split())
    if any(letter.isupper() for letter in stem[1:]):
        return rf"(?-i:{words})"
    return words + _ENDINGS


def _combined_pattern() -> re.Pattern[str]:
    """One pattern for every stem, longest first, so "seating plan" (7) wins over "plan" (4)."""
    stems = sorted(
        ((stem, standard) for standard, stems in _KEYWORDS.items() for stem in stems),
        key=lambda item: len(item[0]),
        reverse=True,
    )
    alternatives = [f"(?P<s{standard}_{index}>{_stem_pattern(stem)})" for index, (stem, standard) in enumerate(stems)]
    return re.compile(rf"(?<![\w-])(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE)


_PATTERN = _combined_pattern()


def suggest_standards(text: str) -> list[int]:
    """The Teachers' Standards `text` seems to be about, sorted and without repeats.

    >>> suggest_standards("Use praise and clear routines; adapt tasks for EAL pupils")
    [5, 7]
    """
    found = {int(match.lastgroup[1:].split("_")[0]) for match in _PATTERN.finditer(text) if match.lastgroup}
    return sorted(found)
