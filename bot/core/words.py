"""Counts and articles in English, written once: "1 mentee", "3 mentees", "a lead mentor", "an admin".

Every count shown to a user goes through `counted` (or `noun` when the number is shown apart), so no screen
says "1 mentees"; every "a"/"an" through `a`.
"""

from __future__ import annotations

IRREGULAR = {"person": "people", "staff": "staff", "entry": "entries", "child": "children"}


def noun(count: int, one: str, many: str | None = None) -> str:
    """The word for `count` of them: noun(1, "mentee") == "mentee", noun(2, "mentee") == "mentees"."""
    if count == 1:
        return one
    if many is not None:
        return many
    head, _, last = one.rpartition(" ")
    plural = IRREGULAR.get(last) or (
        last[:-1] + "ies" if last.endswith("y") and last[-2:-1] not in "aeiou" else last + "s"
    )
    return f"{head} {plural}" if head else plural


def counted(count: int, one: str, many: str | None = None) -> str:
    """counted(1, "mentorship") == "1 mentorship"; counted(3, "open target") == "3 open targets"."""
    return f"{count} {noun(count, one, many)}"


def verb(count: int, one: str, many: str) -> str:
    """The verb agreeing with a count: verb(1, "needs", "need") == "needs"."""
    return one if count == 1 else many


_AN_INITIALISMS = ("ECT", "SLT", "SEN", "HEI", "IRP", "NQT", "MFL", "RE ")


def a(phrase: str) -> str:
    """The phrase with its article: a("lead mentor") == "a lead mentor", a("ECT") == "an ECT"."""
    vowel = phrase[:1].lower() in "aeiou" or phrase.startswith(_AN_INITIALISMS)
    return f"{'an' if vowel else 'a'} {phrase}"
