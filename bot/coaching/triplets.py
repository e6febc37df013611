"""Proposing coaching triplets: a pure function of the staff, the pairings of earlier terms, phases and a seed.

Everyone is placed (nobody left out, never anyone alone): groups of three, and pairs only where the count does
not divide by three: one pair when one person is over (31 + 1 = 32 → ten threes and a pair), two pairs when
two are missing (31 → nine threes and two pairs). Among the arrangements of those sizes it looks for one that
repeats no pairing from earlier terms and, after that, puts people of the same phase together as little as it
can. When a repeat can't be avoided (a small staff, many terms), the proposal says which pairs repeat.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from bot.core.errors import InvalidInput

RESTARTS = 12
SWAPS_PER_PERSON = 60
REPEAT_COST = 1000  # one repeated pairing costs more than any amount of same-phase pairing


@dataclass(frozen=True)
class Proposal:
    groups: list[tuple[str, ...]]
    repeats: list[frozenset[str]]  # pairings also made in an earlier term (empty when it could avoid them)


def group_sizes(count: int) -> list[int]:
    """Threes, and the fewest pairs that place everyone: 0, 1 or 2 pairs."""
    if count < 2:
        raise InvalidInput("Triplets need at least two people on the staff list (nobody is coached alone).")
    pairs = {0: 0, 1: 2, 2: 1}[count % 3]
    threes = (count - 2 * pairs) // 3
    return [3] * threes + [2] * pairs


def pairs_in(group: Sequence[str]) -> list[frozenset[str]]:
    return [frozenset((a, b)) for i, a in enumerate(group) for b in group[i + 1 :]]


def _group_cost(group: Sequence[str], past: Collection[frozenset[str]], phases: Mapping[str, str | None]) -> int:
    cost = 0
    for pair in pairs_in(group):
        if pair in past:
            cost += REPEAT_COST
        a, b = tuple(pair)
        if phases.get(a) and phases.get(a) == phases.get(b):
            cost += 1
    return cost


def propose_triplets(
    staff: Sequence[str],
    past_pairs: Collection[frozenset[str]],
    phases: Mapping[str, str | None],
    seed: int,
) -> Proposal:
    """Triplets for `staff` (each id once), avoiding `past_pairs` and mixing `phases` where known."""
    people = sorted(dict.fromkeys(staff))
    sizes = group_sizes(len(people))
    past = frozenset(p for p in past_pairs if len(p) == 2)
    rng = random.Random(seed)
    best: list[list[str]] | None = None
    best_cost = -1
    for _ in range(RESTARTS):
        order = people[:]
        rng.shuffle(order)
        groups, start = [], 0
        for size in sizes:
            groups.append(order[start : start + size])
            start += size
        cost = _improve(groups, past, phases, rng)
        if best is None or cost < best_cost:
            best, best_cost = [g[:] for g in groups], cost
        if best_cost == 0:
            break
    assert best is not None
    shown = sorted((tuple(sorted(g)) for g in best), key=lambda g: (-len(g), g))
    repeats = sorted((p for g in shown for p in pairs_in(g) if p in past), key=sorted)
    return Proposal(shown, repeats)


def _improve(
    groups: list[list[str]], past: frozenset[frozenset[str]], phases: Mapping[str, str | None], rng: random.Random
) -> int:
    """Swap people between groups while that lowers the cost (ties accepted, to move across plateaus)."""
    costs = [_group_cost(g, past, phases) for g in groups]
    if len(groups) < 2:
        return sum(costs)
    people = sum(len(g) for g in groups)
    for _ in range(SWAPS_PER_PERSON * people):
        if sum(costs) == 0:
            break
        i, j = rng.sample(range(len(groups)), 2)
        if costs[i] == 0 and costs[j] == 0:
            continue
        a, b = rng.randrange(len(groups[i])), rng.randrange(len(groups[j]))
        gi, gj = groups[i][:], groups[j][:]
        gi[a], gj[b] = gj[b], gi[a]
        ci, cj = _group_cost(gi, past, phases), _group_cost(gj, past, phases)
        if ci + cj <= costs[i] + costs[j]:
            groups[i], groups[j], costs[i], costs[j] = gi, gj, ci, cj
    return sum(costs)


def swap(groups: Sequence[Sequence[str]], first: str, second: str) -> list[tuple[str, ...]]:
    """The groups with two people in different groups swapped."""
    where = {person: n for n, group in enumerate(groups) for person in group}
    if first not in where or second not in where:
        raise InvalidInput("Choose two people from this proposal.")
    if where[first] == where[second]:
        raise InvalidInput("Those two are already in the same group: choose people from two different groups.")
    swapped = [[second if p == first else first if p == second else p for p in group] for group in groups]
    return [tuple(g) for g in swapped]
