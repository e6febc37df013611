"""The triplet proposal as a pure function: everyone placed in threes (pairs only where the count forces it), no
pairing repeated from earlier terms when that can be avoided, phases mixed; a property test over many staff lists."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coaching.triplets import group_sizes, pairs_in, propose_triplets, swap
from bot.core.errors import InvalidInput


def staff(n: int) -> list[str]:
    return [f"U{i:04d}" for i in range(n)]


def all_pairs(groups: list[tuple[str, ...]]) -> set[frozenset[str]]:
    return {pair for group in groups for pair in pairs_in(group)}


def test_thirty_one_people_make_nine_triplets_and_two_pairs_with_nobody_left_out() -> None:
    proposal = propose_triplets(staff(31), set(), {}, seed=7)
    assert sorted(len(g) for g in proposal.groups) == [2, 2] + [3] * 9
    assert sorted(p for g in proposal.groups for p in g) == staff(31)


def test_a_second_and_third_term_repeat_no_pairing() -> None:
    people = staff(31)
    autumn = propose_triplets(people, set(), {}, seed=1)
    spring = propose_triplets(people, all_pairs(autumn.groups), {}, seed=2)
    assert spring.repeats == [] and not all_pairs(spring.groups) & all_pairs(autumn.groups)
    summer = propose_triplets(people, all_pairs(autumn.groups) | all_pairs(spring.groups), {}, seed=3)
    assert summer.repeats == []


def test_an_unavoidable_repeat_is_reported() -> None:
    people = staff(6)  # two earlier triplets: any new triplet holds two people who met before
    first = propose_triplets(people, set(), {}, seed=1)
    again = propose_triplets(people, all_pairs(first.groups), {}, seed=2)
    assert len(again.repeats) == 2 and set(again.repeats) <= all_pairs(first.groups)


def test_phases_are_mixed_where_known() -> None:
    people = staff(6)
    phases = {p: ("KS1" if i < 3 else "KS2") for i, p in enumerate(people)}
    proposal = propose_triplets(people, set(), phases, seed=5)
    assert all({phases[p] for p in group} == {"KS1", "KS2"} for group in proposal.groups)


def test_the_same_seed_gives_the_same_proposal_and_another_seed_may_not() -> None:
    people = staff(12)
    assert propose_triplets(people, set(), {}, 4) == propose_triplets(people, set(), {}, 4)
    assert len({tuple(propose_triplets(people, set(), {}, s).groups) for s in range(5)}) > 1


def test_nobody_is_ever_coached_alone() -> None:
    with pytest.raises(InvalidInput, match="at least two people"):
        group_sizes(1)
    assert group_sizes(2) == [2] and group_sizes(4) == [2, 2] and group_sizes(5) == [3, 2]


def test_swapping_two_people_moves_each_into_the_others_group() -> None:
    groups = [("A", "B", "C"), ("D", "E", "F")]
    assert swap(groups, "A", "E") == [("E", "B", "C"), ("D", "A", "F")]
    with pytest.raises(InvalidInput, match="same group"):
        swap(groups, "A", "B")
    with pytest.raises(InvalidInput, match="from this proposal"):
        swap(groups, "A", "Z")


@settings(max_examples=150, deadline=None)
@given(
    count=st.integers(min_value=2, max_value=70),
    seed=st.integers(min_value=0, max_value=2**31 - 1),
    phase_count=st.integers(min_value=0, max_value=4),
    data=st.data(),
)
def test_any_staff_list_places_everyone_once_in_threes_and_fewest_pairs(
    count: int, seed: int, phase_count: int, data: st.DataObject
) -> None:
    people = staff(count)
    phases = {p: data.draw(st.sampled_from([None, *[f"P{i}" for i in range(phase_count)]])) for p in people}
    earlier = propose_triplets(people, set(), phases, seed + 1)
    past = all_pairs(earlier.groups)

    proposal = propose_triplets(people, past, phases, seed)

    placed = [p for g in proposal.groups for p in g]
    assert sorted(placed) == people  # everyone, once
    sizes = [len(g) for g in proposal.groups]
    assert set(sizes) <= {2, 3} and sizes.count(2) == {0: 0, 1: 2, 2: 1}[count % 3]
    assert set(proposal.repeats) == all_pairs(proposal.groups) & past  # what it reports is what repeats
    if count >= 12:  # with one earlier term behind them, a staff this size never needs a repeat
        assert proposal.repeats == []
