"""The Alembic migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError

from storage.db import MIGRATIONS_DIR, Database
from storage.schema import Base


def test_migrations_match_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_nothing_is_pending_after_migrating(db: Database) -> None:
    assert db.pending_migrations() == []
    assert db.migrate() == []


FAILING_MIGRATION = '''"""a migration that fails half way

Revision ID: 9999
Revises: {head}
"""

import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("SELECT * FROM a_table_that_does_not_exist")


def downgrade() -> None:
    op.drop_table("half_done")
'''


def test_a_failing_migration_leaves_no_half_upgraded_database(db: Database, tmp_path: Path) -> None:
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    head = ScriptDirectory.from_config(db.alembic_config()).get_current_head()
    (scripts / "versions" / "9999_fails.py").write_text(FAILING_MIGRATION.format(head=head))

    with pytest.raises(DBAPIError):
        db.migrate(script_location=scripts)

    assert "half_done" not in inspect(db.engine).get_table_names()
    with db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == (head,)
    assert db.pending_migrations(script_location=scripts) == ["9999"]  # reported, ready to retry once fixed
