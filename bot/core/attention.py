"""Who needs a lead mentor's (or mentor's) look first: ONE score, used by the weekly digest and the Home tab.

Flags always come first: not on track, a concern, a target rolled over twice. Then, in order of weight: overdue
targets, a meeting overdue (bot/core/cadence.py), standards rated lower than at the previous observation,
observations short of the half term's cadence, reflections owed. A mentee *needs attention* with a flag, an
overdue target, an overdue meeting or a slipping rating; fewer observations than the cadence alone is not
enough (early in a half term nobody has had two yet), nor are reflections owed.
"""

from __future__ import annotations

from dataclasses import dataclass

WEIGHTS = {
    "not_on_track": 1000,
    "concern": 500,
    "targets_rolled_over": 200,  # any
    "targets_overdue": 40,  # each
    "meeting_overdue": 30,
    "declined": 20,  # each standard
    "observations_short": 10,  # each observation short of the cadence
    "reflections_owed": 5,  # each
}


@dataclass(frozen=True)
class Signs:
    """What is known about one mentee's week; a term the viewer may not see (or a screen doesn't read) is 0."""

    not_on_track: bool = False
    concern: bool = False
    targets_rolled_over: int = 0  # open targets carried over at two meetings or more
    targets_overdue: int = 0
    meeting_overdue: bool = False
    declined: int = 0  # standards rated lower than at the previous observation
    observations_short: int = 0  # observations still needed this half term
    reflections_owed: int = 0

    @property
    def flags(self) -> list[str]:
        flags = []
        if self.not_on_track:
            flags.append("not on track")
        if self.concern:
            flags.append("concern")
        if rolled := self.targets_rolled_over:
            flags.append(f"{rolled} target{'s' if rolled > 1 else ''} rolled over twice")
        return flags

    @property
    def need(self) -> int:
        """Higher means look sooner; flags always come first."""
        return (
            WEIGHTS["not_on_track"] * self.not_on_track
            + WEIGHTS["concern"] * self.concern
            + WEIGHTS["targets_rolled_over"] * bool(self.targets_rolled_over)
            + WEIGHTS["targets_overdue"] * self.targets_overdue
            + WEIGHTS["meeting_overdue"] * self.meeting_overdue
            + WEIGHTS["declined"] * self.declined
            + WEIGHTS["observations_short"] * max(0, self.observations_short)
            + WEIGHTS["reflections_owed"] * self.reflections_owed
        )

    @property
    def needs_attention(self) -> bool:
        return bool(self.flags or self.targets_overdue or self.meeting_overdue or self.declined)
