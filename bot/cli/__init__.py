"""The operators' commands behind `python -m bot`, one module per command group.

`bot/__main__.py` parses the arguments and calls `run(...)` of the group's module. Each command gets its
objects from `bot.app.bootstrap.bootstrap`, through `bot.cli.common.ready_deps`.
"""

from __future__ import annotations


class Exit(Exception):
    """Stop with one clear line and a non-zero status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code
