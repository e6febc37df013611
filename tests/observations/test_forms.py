"""Observation forms load from files, and a broken file is named with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.observations.forms import FieldKind, FieldRole, FormError, load_forms, parse_form
from storage.roster import MenteeKind

GOOD = """key = "science"
name = "Science practical"
default_for = ["staff"]

[[fields]]
key = "safety"
kind = "rating"
label = "Safe practical work"

[[fields]]
key = "next"
kind = "text"
label = "Next steps"
role = "next_steps"
"""


def test_the_shipped_forms_load() -> None:
    forms = load_forms()
    ect, maths = forms.get("ect"), forms.get("maths-mastery")
    assert ect is not None and maths is not None
    assert [f.key for f in ect.ratings] == [*(f"standard_{n}" for n in range(1, 9)), "part_two"]
    assert ect.with_role(FieldRole.ON_TRACK) is not None and ect.with_role(FieldRole.ON_TRACK).kind is FieldKind.YES_NO  # type: ignore[union-attr]
    assert forms.default_for(MenteeKind.TRAINEE) is ect
    assert maths.ratings == () and maths.with_role(FieldRole.CONCERNS) is not None


def test_a_school_adds_a_form_and_replaces_a_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "science.toml").write_text(GOOD)
    (tmp_path / "maths.toml").write_text(
        GOOD.replace('"science"', '"maths-mastery"').replace("Science practical", "Our maths")
    )

    forms = load_forms(tmp_path)

    assert forms.get("science") is not None and forms.get("science").fields[0].required is True  # type: ignore[union-attr]
    assert forms.get("maths-mastery").name == "Our maths"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t.replace('kind = "rating"', 'kind = "stars"'),
            "line 7: field “safety”: kind must be rating, text or yes_no",
        ),
        (lambda t: t.replace('role = "next_steps"', 'role = "vibes"'), "line 14: field “next”: role must be one of"),
        (lambda t: t.replace('key = "next"', 'key = "safety"'), "line 11: the field key “safety” is used twice"),
        (
            lambda t: t.replace('label = "Safe practical work"', 'label = "Safe practical work"\ncolour = "red"'),
            "line 9: unknown setting `colour`",
        ),
        (lambda t: t.replace('name = "Science practical"\n', 'name = "Science practical\n'), "not valid TOML"),
        (lambda t: t.replace('default_for = ["staff"]', 'default_for = ["pupil"]'), "line 3: default_for: “pupil”"),
        (
            lambda t: t.replace('kind = "text"', 'kind = "yes_no"'),
            "line 14: field “next”: the on_track role goes with kind yes_no",
        ),
    ],
)
def test_a_broken_form_names_the_file_and_line(tmp_path: Path, change: object, message: str) -> None:
    path = tmp_path / "science.toml"
    path.write_text(change(GOOD))  # type: ignore[operator]
    with pytest.raises(FormError) as caught:
        parse_form(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_a_form_too_big_for_a_modal_is_refused(tmp_path: Path) -> None:
    fields = "".join(f'\n[[fields]]\nkey = "s{n}"\nkind = "rating"\nlabel = "S{n}"\n' for n in range(45))
    path = tmp_path / "huge.toml"
    path.write_text('key = "huge"\nname = "Huge"\n' + fields)
    with pytest.raises(FormError, match="the form needs 90 blocks"):
        parse_form(path)
