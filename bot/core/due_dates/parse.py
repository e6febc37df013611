"""Finding the due phrase in a target and turning it into a date."""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime

import dateparser

from bot.core.due_dates import school_year, weeks
from bot.core.due_dates.phrases import (
    _ATTEMPT_PREPS,
    _BY,
    _CANONICAL_PREP,
    _DATEPARSER_SETTINGS,
    _EVENT,
    _EXAMPLES,
    _MAX_PHRASE_WORDS,
    _MON,
    _MONTHS,
    _NOT_A_DEADLINE_BEFORE,
    _PREPOSITION,
    _PREPOSITIONS,
    _SCHOOL_WORDS,
    _WD,
    _WEEKDAYS,
    _YEAR,
    MAX_MONTHS_AHEAD,
    DueDateError,
    DuePhrase,
    PassedDateError,
    _add_months,
    _Context,
    _next_occurrence,
    _normalise,
    describe,
    passed_recently,
)
from bot.core.school_calendar import SchoolCalendar

# Days and weeks first: the first rule that matches wins.
_RULES = (*weeks.RULES, *school_year.RULES)


def split_target(text: str, *, now: datetime, calendar: SchoolCalendar) -> tuple[str, DuePhrase | None]:
    """Split a target into its text and its due phrase, if it has one.

    The phrase is taken from the end ("… by Monday week") or from a leading clause ("By Friday, …").
    Returns (text, None) when there is no due phrase; raises DueDateError when the target ends in
    something like "by blursday" that looks like a date but can't be understood, is in the past or
    is too far ahead.
    """
    core_end = len(text.rstrip(" \t\n.!?;,"))
    core = text[:core_end]
    words = list(re.finditer(r"\S+", core))

    leading = _leading_clause(core, now, calendar)
    if leading is not None:
        return leading

    for index in range(max(0, len(words) - _MAX_PHRASE_WORDS), len(words)):
        if index > 0 and _normalise(words[index - 1].group()) in _NOT_A_DEADLINE_BEFORE:
            continue  # "from next week", "every Friday", "last Monday"
        phrase = core[words[index].start() :]
        rest = core[: words[index].start()].rstrip().rstrip(",;:–—-").rstrip()
        try:
            due = _interpret(phrase, now, calendar)
        except PassedDateError as passed:
            _refuse_half_understood(rest, phrase)
            raise passed.with_rest(rest) from None
        if due is not None:
            _refuse_half_understood(rest, phrase)
            return rest, DuePhrase(due, phrase)

    _raise_if_failed_attempt(core, words)
    return text, None


def parse_due(phrase: str, *, now: datetime, calendar: SchoolCalendar, allow_overdue: bool = False) -> date:
    """Understand a date typed on its own ("Monday week", "by 30/11", "end of term").

    With `allow_overdue`, a date typed with its year that passed recently ("30/11/2026") is allowed: that is
    how a mentor keeps this year's date when told a day and month has passed (PassedDateError).
    """
    cleaned = phrase.strip().rstrip(".!?;,").strip()
    if _NUMERIC_DATE.fullmatch(cleaned):
        cleaned = f"on {cleaned}"  # in a box for a date, "30/11/2026" is a date, not a score
    due = _interpret(cleaned, now, calendar, allow_overdue=allow_overdue) if cleaned else None
    if due is None:
        shown = cleaned or phrase
        raise DueDateError(f"I couldn't understand “{shown}” as a date. {_EXAMPLES}")
    return due


def _interpret(phrase: str, now: datetime, calendar: SchoolCalendar, *, allow_overdue: bool = False) -> date | None:
    """The date `phrase` means, None if it isn't a due phrase at all; DueDateError if it's a bad one."""
    body = _normalise(phrase)
    prep = ""
    found = _PREPOSITION.match(body)
    if found:
        prep = _CANONICAL_PREP.get(found.group("prep"), found.group("prep"))
        body = body[found.end() :]
    if prep:
        event = _EVENT.fullmatch(body)
        if event:
            body = event.group("when")
            prep = "on" if prep in ("in", "at", "to") else prep
    if prep == "to":
        return None  # "to" only as in "bring it to Friday's meeting"
    if not body or _SCHOOL_WORDS.search(body):
        return None
    context = _Context(now.date(), now.replace(tzinfo=None), calendar, prep, phrase.strip(), allow_overdue)
    due = _match_rules(body, context)
    if due is None:
        due = _calendar_date(body, context)
    if due is not None:
        _check_range(due, context)
    return due


def _match_rules(body: str, context: _Context) -> date | None:
    for pattern, handler, preps in _RULES:
        if context.prep in preps:
            found = pattern.fullmatch(body)
            if found:
                due = handler(found, context)
                if due is not None:
                    return due
    return None


def _check_range(due: date, context: _Context) -> None:
    if due < context.today and not (context.allow_past and passed_recently(due, context.today)):
        raise DueDateError(f"“{context.raw}” is in the past ({describe(due)}). Choose a date from today onwards.")
    if due > _add_months(context.today, MAX_MONTHS_AHEAD):
        raise DueDateError(
            f"“{context.raw}” is {describe(due)}, more than {MAX_MONTHS_AHEAD} months away. Choose a nearer date."
        )


# --- calendar dates, read by dateparser --------------------------------------------------------------

_NUMERIC_DATE = re.compile(r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{2}|\d{4}))?")
_DATE_TOKEN = re.compile(rf"{_WD}|{_MON}|\d{{1,2}}(?:st|nd|rd|th)?|{_YEAR}|{_NUMERIC_DATE.pattern}|the|of")


def _calendar_date(body: str, context: _Context) -> date | None:
    """Calendar dates: "30 Nov", "30th November", "Friday 4th December 2026", "30/11", "30/11/26".

    Only phrases made wholly of date words, with a month or a day/month, get this far.
    """
    tokens = body.split()
    if not tokens or not all(_DATE_TOKEN.fullmatch(token) for token in tokens):
        return None
    numeric = [m for m in map(_NUMERIC_DATE.fullmatch, tokens) if m]
    months = [token for token in tokens if token in _MONTHS]
    if not numeric and not months:
        return None
    if numeric and context.prep not in ("by", "before", "till", "on"):
        return None  # "aim for 8/10", "score 3/4": fractions, not dates
    if context.prep not in _BY:
        return None
    days = [int(t.rstrip("stndrh")) for t in tokens if re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)?", t)]
    years = [int(t) for t in tokens if re.fullmatch(_YEAR, t)]
    weekdays = [_WEEKDAYS[t] for t in tokens if t in _WEEKDAYS]
    if len(numeric) + len(months) != 1 or len(years) > 1 or len(weekdays) > 1:
        raise context.not_understood()
    if numeric:
        if days or years:
            raise context.not_understood()
        day, month = int(numeric[0].group("d")), int(numeric[0].group("m"))
        year_text = numeric[0].group("y")
        year = None if year_text is None else int(year_text) + (2000 if len(year_text) == 2 else 0)
    else:
        if len(days) != 1:
            raise context.not_understood()  # "November" alone is handled above; "32 11 November" isn't a date
        day, month = days[0], _MONTHS[months[0]]
        year = years[0] if years else None
    parsed = dateparser.parse(
        body.replace(".", "/").replace("-", "/") if numeric else body,
        languages=["en"],
        settings={**_DATEPARSER_SETTINGS, "RELATIVE_BASE": context.base},
    )
    if parsed is None or (parsed.day, parsed.month) != (day, month):
        raise context.not_understood()
    due = _next_occurrence(month, day, context.today, year)
    if due is None:
        raise context.not_understood()
    if year is None and due.year > context.today.year:
        this_year = _next_occurrence(month, day, context.today, context.today.year)
        same_weekday = this_year is not None and (not weekdays or this_year.weekday() == weekdays[0])
        if this_year is not None and same_weekday and passed_recently(this_year, context.today):
            raise context.passed(this_year, due)
    if weekdays and due.weekday() != weekdays[0]:
        given = next(name for name, number in _WEEKDAYS.items() if number == weekdays[0] and len(name) > 5)
        raise DueDateError(
            f"{due.day} {due:%B %Y} is a {due:%A}, not a {given.title()}. Check the date in “{context.raw}”."
        )
    return due


# --- leading clauses and failed attempts --------------------------------------------------------------


def _leading_clause(core: str, now: datetime, calendar: SchoolCalendar) -> tuple[str, DuePhrase] | None:
    """A leading clause: "By Friday, share your seating plan" → ("Share your seating plan", by Friday)."""
    head = re.match(r"\s*(?P<head>[^,:;–—]{2,60}?)\s*(?:[,:;–—]| - )\s*(?P<rest>\S.*)$", core, re.DOTALL)
    if head is None:
        return None
    phrase = head.group("head")
    words = _normalise(phrase).split()
    if not words or (words[0] not in {p.split()[0] for p in _PREPOSITIONS} and len(words) > 4):
        return None
    rest = head.group("rest").strip()
    rest = rest[:1].upper() + rest[1:]
    try:
        due = _interpret(phrase, now, calendar)
    except PassedDateError as passed:
        raise passed.with_rest(rest) from None
    if due is None:
        return None
    return rest, DuePhrase(due, phrase)


_NOT_DATE_DAYS = frozenset({"holiday", "birthday", "midday", "payday", "everyday", "someday", "heyday", "yesterday"})
_FUZZY_WORDS = [name for name in (*_WEEKDAYS, *_MONTHS) if len(name) > 4] + ["tomorrow", "fortnight", "christmas"]


def _looks_like_a_date(body: str, prep: str) -> bool:
    """True for "blursday", "Fridya", "31/02", "the 45th", "32 Novembr" ("for 8/10" is a score)."""
    words = [w for w in body.split() if w not in {"the", "of", "next", "this", "a", "on", "week", "end"}]
    if not words or len(words) > 3:
        return False
    for word in words:
        word = word.removesuffix("'s")
        if (word in _WEEKDAYS and len(word) > 3) or (word in _MONTHS and len(word) > 3):
            return True
        if re.fullmatch(r"[a-z]{2,}day", word) and word not in _NOT_DATE_DAYS:
            return True
        if _NUMERIC_DATE.fullmatch(word) and prep != "for":
            return True
        if len(words) == 1 and re.fullmatch(r"\d+(?:st|nd|rd|th)", word):
            return True
        plural_of_date_word = word.endswith("s") and word[:-1] in _WEEKDAYS
        if len(word) >= 5 and not plural_of_date_word and difflib.get_close_matches(word, _FUZZY_WORDS, 1, 0.8):
            return True
    return False


def _raise_if_failed_attempt(core: str, words: list[re.Match[str]]) -> None:
    """Raise for a trailing "by blursday"; leave "for Year 5" and "by the next meeting" alone."""
    for index in range(len(words) - 1, max(-1, len(words) - 6), -1):
        if _normalise(words[index].group()) in _ATTEMPT_PREPS:
            body = _normalise(core[words[index].end() :])
            prep = _normalise(words[index].group())
            if body and not _SCHOOL_WORDS.search(body) and _looks_like_a_date(body, prep):
                phrase = core[words[index].start() :]
                raise DueDateError(f"I couldn't understand “{phrase}” as a date. {_EXAMPLES}")
            return


# Words that belong to a date, never to a target's last word: left there, the date was half understood.
# ("this", "week", "first", "following" and month names can end a target: "Do this", "for the week".)
_DATE_WORDS_BEFORE = frozenset(
    {"next", "nxt", "coming", "the", "a", "of", "by", "before", "b4", "until", "till", "due", "after", "wk"}
)
# A weekday left at the end is half a date only after one of these ("by the Friday after half term").
_BEFORE_A_WEEKDAY = frozenset({"the", "by", "before", "till", "until", "on", "next", "nxt", "this", "coming"})


def _refuse_half_understood(rest: str, phrase: str) -> None:
    """ "Mark books nxt fri" must not become "Mark books nxt", due Friday: say what wasn't understood."""
    typed = rest.split()[-2:]
    if not typed:
        return
    words = [_normalise(word).removesuffix("'s") for word in typed]
    after_date_word = len(words) == 2 and words[0] in _BEFORE_A_WEEKDAY
    if words[-1] in _DATE_WORDS_BEFORE or (words[-1] in _WEEKDAYS and after_date_word):
        raise DueDateError(
            f"I understood “{phrase.strip()}” but not “{typed[-1]}” just before it. "
            f"Say the whole date another way. {_EXAMPLES}"
        )
