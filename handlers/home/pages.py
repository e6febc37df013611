"""Paging the Home's lists: every list shows one page; its **More** / **Back** buttons carry the whole page
state of the Home (`Pages.encode()`, e.g. ``cohort=2;quiet=1``) as their value, so a click republishes the
Home at that page with nothing kept on the server. A republish after a change starts at the first pages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from handlers.home.ids import BACK_ACTION, MORE_ACTION, PAGE_BLOCK
from handlers.slack.blocks import Block, button

# Items per page in each list. With every section held at once a Home stays well inside 100 blocks
# (mentees and the cohort take two blocks an item: a line and its buttons).
PAGE_SIZES = {
    "targets": 8,
    "reflections": 3,
    "mentees": 8,
    "cohort": 8,
    "quiet": 15,
    "flagged": 15,
    "orphans": 15,
    "ending": 15,
}
_MAX_PAGE = 100_000
_PAGE_PART = re.compile(r"^([a-z]+)=(\d{1,6})$")

T = TypeVar("T")


@dataclass(frozen=True)
class Pages:
    """Which page each list of the Home is on; lists not named are on their first page."""

    offsets: dict[str, int] = field(default_factory=dict)

    @classmethod
    def parse(cls, value: str | None) -> Pages:
        """Read a button's value; anything unexpected (a tampered or stale value) falls back to first pages."""
        offsets: dict[str, int] = {}
        for part in (value or "")[:500].split(";"):
            match = _PAGE_PART.match(part.strip())
            if match and match.group(1) in PAGE_SIZES:
                offsets[match.group(1)] = min(int(match.group(2)), _MAX_PAGE)
        return cls(offsets)

    def page(self, key: str) -> int:
        return self.offsets.get(key, 0)

    def turned(self, key: str, page: int) -> Pages:
        offsets = {k: v for k, v in self.offsets.items() if k != key}
        if page > 0:
            offsets[key] = page
        return Pages(offsets)

    def encode(self) -> str:
        return ";".join(f"{key}={page}" for key, page in sorted(self.offsets.items()))


@dataclass(frozen=True)
class Page:
    key: str
    number: int
    last: int
    first_item: int  # 1-based, for "9–16 of 40"
    last_item: int
    total: int

    @property
    def label(self) -> str:
        if self.last == 0:
            return f"{self.total}"
        return f"{self.first_item}–{self.last_item} of {self.total}"


def paged(items: Sequence[T], pages: Pages, key: str) -> tuple[list[T], Page]:
    size = PAGE_SIZES[key]
    last = max(0, (len(items) - 1) // size)
    number = min(pages.page(key), last)
    shown = list(items[number * size : (number + 1) * size])
    start = number * size
    return shown, Page(key, number, last, start + 1, start + len(shown), len(items))


def pager(page: Page, pages: Pages) -> list[Block]:
    """Back / More for one list, carrying the Home's whole page state; nothing when it fits on one page."""
    if page.last == 0:
        return []
    elements = []
    if page.number > 0:
        elements.append(button("Back", BACK_ACTION, pages.turned(page.key, page.number - 1).encode() or "top"))
    if page.number < page.last:
        elements.append(button("More", MORE_ACTION, pages.turned(page.key, page.number + 1).encode()))
    return [{"type": "actions", "block_id": PAGE_BLOCK + page.key, "elements": elements}]
