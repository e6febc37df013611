"""A certification scheme, from a TOML file (see `bot/certification/schemes/national-standards-2016.toml`).

The scheme is data: the mentor standards and their descriptors, the levels, each level's criteria, which
standards each kind of logged record evidences, the training-hours target and the panel dates. The bot
only knows how to *count* each kind of record (EVIDENCE_KINDS); a provider's file says what the counts
are evidence of. `load_scheme` is the only function here that touches the disk; a bad file raises
SchemeError naming the file and what to fix.
"""

from __future__ import annotations

import enum
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

_KEY = re.compile(r"^[a-z0-9][a-z0-9_]{0,39}$")

# Each kind of logged record the read queries count (storage/queries/certification.py), with what it is.
EVIDENCE_KINDS: dict[str, str] = {
    "meetings_held": "meetings the mentor logged",
    "meetings_signed_off": "those meetings the mentee signed off",
    "observations_with_feedback": "observations the mentor wrote, with feedback",
    "observations_reflected": "those observations the teacher reflected on",
    "targets_set": "targets the mentor set",
    "targets_reviewed": "those targets reviewed at a meeting or closed",
    "joint_observations": "observations with a second observer, the mentor one of the two",
    "reviews_written": "progress reviews and assessments the mentor wrote",
    "reviews_quality_assured": "reviews the person signed as a lead, tutor or head",
    "support_plans": "support plans the person started",
    "nudges_acted_on": "reminders to log (nudges) followed by a meeting within a week",
    "nudges_sent": "nudges the person sent to mentors with missing logs",
    "training": "mentor training sessions logged with /evidence training",
}


class SchemeError(ValueError):
    """The scheme file is missing or wrong; the message names the file and what to fix."""


class CriterionKind(enum.StrEnum):
    TICK = "tick"  # a document or signature: ticked by a lead mentor with a date and a note
    GATHERED = "gathered"  # met when the logged records reach `needs`
    REFLECTION = "reflection"  # met when `at_least` reflections tag one of the standards
    TRAINING = "training"  # met when the training hours reach the target


@dataclass(frozen=True)
class Standard:
    key: str
    title: str
    summary: str
    descriptors: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"Standard {self.key}: {self.title}"


@dataclass(frozen=True)
class Level:
    key: str
    label: str
    about: str = ""
    lead: bool = False  # the lead level (QLMS): evidence of supporting other mentors counts here


@dataclass(frozen=True)
class EvidenceMapping:
    kind: str
    label: str
    standards: tuple[str, ...]
    lead: bool = False  # counts towards the lead level


@dataclass(frozen=True)
class Criterion:
    key: str
    level: str
    label: str
    kind: CriterionKind
    standards: tuple[str, ...] = ()
    needs: dict[str, int] = field(default_factory=dict)
    at_least: int = 1


@dataclass(frozen=True)
class Scheme:
    name: str
    standards: tuple[Standard, ...]
    levels: tuple[Level, ...]
    evidence: tuple[EvidenceMapping, ...]
    criteria: tuple[Criterion, ...]
    training_hours_target: float = 20
    panel_dates: tuple[date, ...] = ()

    def standard(self, key: str) -> Standard | None:
        return next((s for s in self.standards if s.key == key), None)

    def level(self, key: str) -> Level | None:
        return next((lv for lv in self.levels if lv.key == key), None)

    def criterion(self, key: str) -> Criterion | None:
        return next((c for c in self.criteria if c.key == key), None)

    def mapping(self, kind: str) -> EvidenceMapping | None:
        return next((m for m in self.evidence if m.kind == kind), None)

    def criteria_at(self, level: str) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.level == level)

    @property
    def ticked(self) -> tuple[Criterion, ...]:
        """The criteria a lead mentor ticks (documents and signatures)."""
        return tuple(c for c in self.criteria if c.kind is CriterionKind.TICK)

    def panels_after(self, day: date) -> tuple[date, ...]:
        return tuple(d for d in self.panel_dates if d >= day)


def default_scheme_path() -> Path:
    return Path(__file__).resolve().parent / "schemes" / "national-standards-2016.toml"


def _text(raw: dict[str, Any], name: str, where: str, *, limit: int = 300, required: bool = True) -> str:
    value = raw.get(name, "" if not required else None)
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise SchemeError(f"{where}: “{name}” must be text of up to {limit} characters")
    return value.strip()


def _key(raw: dict[str, Any], where: str, seen: set[str]) -> str:
    key = raw.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        raise SchemeError(f"{where}: “key” must be a short name in lower case letters, digits and _")
    if key in seen:
        raise SchemeError(f"{where}: the key “{key}” is used twice")
    seen.add(key)
    return key


def _standards(raw: Any, where: str, known: set[str]) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise SchemeError(f'{where}: “standards” must be a list of standard keys such as ["1", "3"]')
    unknown = [s for s in raw if s not in known]
    if unknown:
        raise SchemeError(f"{where}: “standards” names {', '.join(unknown)}, which the file does not define")
    return tuple(raw)


def _table_list(data: dict[str, Any], name: str, path: Path) -> list[dict[str, Any]]:
    raw = data.get(name, [])
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise SchemeError(f"{path}: “{name}” must be a list of [[{name}]] tables")
    return raw


def parse_scheme(data: dict[str, Any], path: Path) -> Scheme:
    """A scheme from the TOML's data; SchemeError names what is wrong and where."""
    standards: list[Standard] = []
    seen: set[str] = set()
    for i, raw in enumerate(_table_list(data, "standards", path), start=1):
        where = f"{path}, standard {i}"
        descriptors = raw.get("descriptors", [])
        if not isinstance(descriptors, list) or not all(isinstance(d, str) and d.strip() for d in descriptors):
            raise SchemeError(f"{where}: “descriptors” must be a list of text")
        standards.append(
            Standard(
                _key(raw, where, seen),
                _text(raw, "title", where, limit=120),
                _text(raw, "summary", where, limit=600, required=False),
                tuple(d.strip() for d in descriptors),
            )
        )
    if not standards:
        raise SchemeError(f"{path}: a scheme needs at least one [[standards]] table")
    known = {s.key for s in standards}
    levels: list[Level] = []
    seen = set()
    for i, raw in enumerate(_table_list(data, "levels", path), start=1):
        where = f"{path}, level {i}"
        levels.append(
            Level(
                _key(raw, where, seen),
                _text(raw, "label", where, limit=80),
                _text(raw, "about", where, limit=400, required=False),
                bool(raw.get("lead", False)),
            )
        )
    if not levels:
        raise SchemeError(f"{path}: a scheme needs at least one [[levels]] table")
    evidence: list[EvidenceMapping] = []
    raw_evidence = data.get("evidence", {})
    if not isinstance(raw_evidence, dict):
        raise SchemeError(f"{path}: “evidence” must be [evidence.<kind>] tables")
    for kind, raw in raw_evidence.items():
        where = f"{path}, [evidence.{kind}]"
        if kind not in EVIDENCE_KINDS:
            raise SchemeError(f"{where}: the bot can't count “{kind}”; use one of {', '.join(EVIDENCE_KINDS)}")
        if not isinstance(raw, dict):
            raise SchemeError(f"{where}: must be a table with a label and standards")
        evidence.append(
            EvidenceMapping(
                kind,
                _text(raw, "label", where, limit=120),
                _standards(raw.get("standards"), where, known),
                bool(raw.get("lead", False)),
            )
        )
    level_keys = {lv.key for lv in levels}
    criteria: list[Criterion] = []
    seen = set()
    for i, raw in enumerate(_table_list(data, "criteria", path), start=1):
        where = f"{path}, criterion {i}"
        key = _key(raw, where, seen)
        if raw.get("level") not in level_keys:
            raise SchemeError(f"{where}: “level” must be one of {', '.join(sorted(level_keys))}")
        try:
            kind = CriterionKind(raw.get("kind", ""))
        except ValueError:
            raise SchemeError(f"{where}: “kind” must be one of {', '.join(k.value for k in CriterionKind)}") from None
        needs = raw.get("needs", {})
        if kind is CriterionKind.GATHERED:
            if not isinstance(needs, dict) or not needs:
                raise SchemeError(f"{where}: a gathered criterion needs “needs”, e.g. {{ meetings_signed_off = 6 }}")
            for name, count in needs.items():
                if name not in EVIDENCE_KINDS:
                    raise SchemeError(f"{where}: “needs” names “{name}”; use one of {', '.join(EVIDENCE_KINDS)}")
                if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                    raise SchemeError(f"{where}: “needs.{name}” must be a whole number above zero")
        at_least = raw.get("at_least", 1)
        if not isinstance(at_least, int) or isinstance(at_least, bool) or at_least < 1:
            raise SchemeError(f"{where}: “at_least” must be a whole number above zero")
        standards_of = _standards(raw.get("standards", []), where, known)
        if kind is CriterionKind.REFLECTION and not standards_of:
            raise SchemeError(f"{where}: a reflection criterion names the standards its reflections tag")
        criteria.append(
            Criterion(
                key,
                str(raw["level"]),
                _text(raw, "label", where, limit=200),
                kind,
                standards_of,
                dict(needs) if kind is CriterionKind.GATHERED else {},
                at_least,
            )
        )
    target = data.get("training_hours_target", 20)
    if not isinstance(target, int | float) or isinstance(target, bool) or not 0 <= target <= 1000:
        raise SchemeError(f"{path}: “training_hours_target” must be a number of hours, 0-1000")
    panels = data.get("panel_dates", [])
    if not isinstance(panels, list) or not all(isinstance(d, date) for d in panels):
        raise SchemeError(f"{path}: “panel_dates” must be a list of dates such as 2027-03-10 (no quotes)")
    return Scheme(
        _text(data, "name", str(path), limit=150),
        tuple(standards),
        tuple(levels),
        tuple(evidence),
        tuple(criteria),
        float(target),
        tuple(sorted(panels)),
    )


def load_scheme(path: Path | str | None = None) -> Scheme:
    path = Path(path) if path is not None else default_scheme_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SchemeError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemeError(f"{path}: can't read it ({exc})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(f"{path}: can't read it ({exc})") from exc
    return parse_scheme(data, path)
