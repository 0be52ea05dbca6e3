"""Schema migrations with Alembic, and the check that the database fits this version of plein.

Feature modules keep their own migration branches (all rooted in the foundation revision); the
database is current when it stands at every head.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from plein.errors import SchemaError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    """Alembic configuration pointing at plein's own migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def script_heads() -> set[str]:
    """The newest revision of every migration branch this version of plein knows."""
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def known_revisions() -> set[str]:
    """Every revision this version of plein knows."""
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def database_heads(engine: Engine) -> set[str]:
    """The revisions the database stands at (empty for an uninitialised database)."""
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def _refuse_newer(engine: Engine) -> None:
    unknown = database_heads(engine) - known_revisions()
    if unknown:
        raise SchemaError(
            f"De database heeft een nieuwer schema (revisie {', '.join(sorted(unknown))}) dan deze versie "
            "van plein kent. Werk plein bij naar de versie die dit schema heeft gemaakt, of gebruik een "
            "andere database (PLEIN_DATABASE_URL)."
        )


def upgrade(engine: Engine, target: str = "heads") -> None:
    """Bring the database to the newest schema (or to ``target``); refuse one made by a newer plein."""
    _refuse_newer(engine)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, target)


def check_schema(engine: Engine) -> None:
    """Raise SchemaError unless the database is exactly at this plein's schema."""
    _refuse_newer(engine)
    current = database_heads(engine)
    if not current:
        has_tables = bool(inspect(engine).get_table_names())
        hint = "Voer eerst `plein init` (of `plein db upgrade`) uit."
        if has_tables:
            raise SchemaError(f"De database bevat tabellen maar geen plein-schema. {hint}")
        raise SchemaError(f"De database is nog niet ingericht. {hint}")
    if current != script_heads():
        raise SchemaError("Het databaseschema is verouderd. Voer `plein db upgrade` uit.")
