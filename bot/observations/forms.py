"""Observation forms are data: TOML files a school can edit or add to, checked when the bot starts."""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.roster import MenteeKind

SHIPPED_FORMS_DIR = Path(__file__).resolve().parent.parent / "forms"
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
LABEL_LIMIT = 2000  # Slack's limit for an input block's label
HELP_LIMIT = 2000  # ... and for its hint
# Blocks a form may take in the modal, leaving room for the fixed lesson-details blocks (Slack allows 100).
MAX_FORM_BLOCKS = 80
# What the observer is told beside a rating left blank ("N/A for the rest" fills them all).
CHOOSE_RATING = "Choose a rating (N/A if this lesson didn't show it), or tick “N/A for the rest”."


class FieldKind(enum.StrEnum):
    RATING = "rating"  # the ECT scale, with an optional comment
    TEXT = "text"
    YES_NO = "yes_no"


class FieldRole(enum.StrEnum):
    """What a field means to the rest of the bot: summaries, alerts and digests read these."""

    STRENGTHS = "strengths"
    DEVELOPMENT = "development"
    CONCERNS = "concerns"
    ON_TRACK = "on_track"
    NEXT_STEPS = "next_steps"


class FormError(Exception):
    """A form file is missing, malformed or breaks a rule; the message names the file and the line."""


@dataclass(frozen=True)
class FormField:
    key: str
    kind: FieldKind
    label: str
    help: str | None = None
    group: str | None = None
    role: FieldRole | None = None
    required: bool = False

    @property
    def blocks_needed(self) -> int:
        return 2 if self.kind is FieldKind.RATING else 1  # a rating has its comment box


@dataclass(frozen=True)
class ObservationForm:
    key: str
    name: str
    description: str
    default_for: frozenset[MenteeKind]
    fields: tuple[FormField, ...]
    source: str

    def field(self, key: str) -> FormField | None:
        return next((f for f in self.fields if f.key == key), None)

    def with_role(self, role: FieldRole) -> FormField | None:
        return next((f for f in self.fields if f.role is role), None)

    @property
    def ratings(self) -> tuple[FormField, ...]:
        return tuple(f for f in self.fields if f.kind is FieldKind.RATING)


class FormLibrary:
    def __init__(self, forms: Iterable[ObservationForm]) -> None:
        self.forms = {form.key: form for form in forms}

    def get(self, key: str) -> ObservationForm | None:
        return self.forms.get(key)

    def default_for(self, kind: MenteeKind) -> ObservationForm:
        for form in self.forms.values():
            if kind in form.default_for:
                return form
        return next(iter(self.forms.values()))

    def __iter__(self) -> Any:
        return iter(self.forms.values())

    def __len__(self) -> int:
        return len(self.forms)


def _line_of(text: str, pattern: str, after_line: int = 0) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if number > after_line and re.search(pattern, line):
            return number
    return max(after_line, 1)


def _fields_table_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if line.strip() == "[[fields]]"]


def parse_form(path: Path) -> ObservationForm:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FormError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's message carries the place: "… (at line 12, column 5)".
        raise FormError(f"{path}: not valid TOML: {exc}") from None

    def fail(message: str, line: int) -> FormError:
        return FormError(f"{path}, line {line}: {message}")

    for name in ("key", "name"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise fail(f"the form needs a `{name}` (text)", _line_of(text, rf"^\s*{name}\s*="))
    key = data["key"]
    if not KEY_PATTERN.match(key):
        raise fail("`key` must be lower-case letters, digits, - or _", _line_of(text, r"^\s*key\s*="))
    kinds: set[MenteeKind] = set()
    for kind in data.get("default_for", []):
        try:
            kinds.add(MenteeKind(kind))
        except ValueError:
            raise fail(f"default_for: “{kind}” must be trainee, ect or staff", _line_of(text, r"default_for")) from None

    raw_fields = data.get("fields")
    table_lines = _fields_table_lines(text)
    if not isinstance(raw_fields, list) or not raw_fields:
        raise fail("the form has no [[fields]]", 1)
    fields: list[FormField] = []
    seen: set[str] = set()
    roles: set[FieldRole] = set()
    for index, raw in enumerate(raw_fields):
        line = table_lines[index] if index < len(table_lines) else 1
        fields.append(_parse_field(raw, line, text, seen, roles, fail))
    blocks = sum(f.blocks_needed for f in fields) + len({f.group for f in fields if f.group})
    blocks += any(f.kind is FieldKind.RATING for f in fields)  # the "N/A for the rest" box
    if blocks > MAX_FORM_BLOCKS:
        raise fail(f"the form needs {blocks} blocks; Slack's modal leaves room for {MAX_FORM_BLOCKS}", 1)
    return ObservationForm(
        key=key,
        name=data["name"].strip()[:75],
        description=str(data.get("description", "")),
        default_for=frozenset(kinds),
        fields=tuple(fields),
        source=str(path),
    )


def _parse_field(raw: Any, line: int, text: str, seen: set[str], roles: set[FieldRole], fail: Any) -> FormField:
    if not isinstance(raw, dict):
        raise fail("each [[fields]] entry must be a table", line)

    def line_of(name: str) -> int:
        return _line_of(text, rf"^\s*{name}\s*=", after_line=line)

    unknown = set(raw) - {"key", "kind", "label", "help", "group", "role", "required"}
    if unknown:
        raise fail(f"unknown setting `{sorted(unknown)[0]}` in a field", line_of(sorted(unknown)[0]))
    key = raw.get("key")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise fail("each field needs a `key` of lower-case letters, digits, - or _", line_of("key") if key else line)
    if key in seen:
        raise fail(f"the field key “{key}” is used twice", line_of("key"))
    seen.add(key)
    try:
        kind = FieldKind(raw.get("kind", ""))
    except ValueError:
        raise fail(f"field “{key}”: kind must be rating, text or yes_no", line_of("kind")) from None
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        raise fail(f"field “{key}” needs a `label`", line)
    if len(label) > LABEL_LIMIT:
        raise fail(f"field “{key}”: the label is over {LABEL_LIMIT} characters", line_of("label"))
    help_text = raw.get("help")
    if help_text is not None and (not isinstance(help_text, str) or len(help_text) > HELP_LIMIT):
        raise fail(f"field “{key}”: help must be text of at most {HELP_LIMIT} characters", line_of("help"))
    role = None
    if "role" in raw:
        try:
            role = FieldRole(raw["role"])
        except ValueError:
            choices = ", ".join(r.value for r in FieldRole)
            raise fail(f"field “{key}”: role must be one of {choices}", line_of("role")) from None
        if role in roles:
            raise fail(f"field “{key}”: another field already has the role {role.value}", line_of("role"))
        if (role is FieldRole.ON_TRACK) != (kind is FieldKind.YES_NO):
            raise fail(f"field “{key}”: the on_track role goes with kind yes_no, and only it", line_of("role"))
        roles.add(role)
    required = raw.get("required", kind is FieldKind.RATING)
    if not isinstance(required, bool):
        raise fail(f"field “{key}”: required must be true or false", line_of("required"))
    return FormField(
        key=key,
        kind=kind,
        label=label.strip(),
        help=help_text.strip() if help_text else None,
        group=raw.get("group"),
        role=role,
        required=required,
    )


def load_forms(*directories: Path | None) -> FormLibrary:
    """The shipped forms, then a school's own folder: a school's form replaces a shipped one with its key."""
    forms: dict[str, ObservationForm] = {}
    for directory in (SHIPPED_FORMS_DIR, *directories):
        if directory is None:
            continue
        if not directory.is_dir():
            raise FormError(f"{directory}: no such folder of observation forms")
        for path in sorted(directory.glob("*.toml")):
            form = parse_form(path)
            forms[form.key] = form
    if not forms:
        raise FormError(f"{SHIPPED_FORMS_DIR}: no observation forms found")
    return FormLibrary(forms.values())
