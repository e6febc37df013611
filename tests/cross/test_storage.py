"""The database layer: what it lets out in errors."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.db import Database


def test_database_errors_never_carry_what_was_typed(db: Database) -> None:
    with pytest.raises(DBAPIError) as caught, db.engine.connect() as connection:
        connection.execute(text("INSERT INTO no_such_table VALUES (:note)"), {"note": "Private meeting note"})
    assert "Private meeting note" not in str(caught.value)
