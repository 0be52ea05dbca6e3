"""The registry of audit actions: every name written is registered, and the viewer shows descriptions."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

import plein
from plein.audit.actions import AuditAction, describe
from plein.audit.chain import ActorInfo
from plein.audit.events import record_event
from plein.audit.keys import keys_from_secret
from plein.audit.models import AuditEntry
from plein.settings import Settings
from plein.web.app import create_app
from tests.access.world import World, login

SOURCE = Path(plein.__file__).parent
REGISTRY = SOURCE / "audit" / "actions.py"
NAME_SHAPE = re.compile(r"^[a-z][a-z_-]*(\.[a-z_-]+)*$")
# the calls that carry an action name, and the position / keyword that carries it
WRITERS = {"audit": 0, "record_event": None, "audit_refusal": 3, "require": 1, "_refuse": 2}


def _sources() -> Iterator[tuple[Path, ast.AST]]:
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts or path == REGISTRY:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_every_member_has_a_distinct_name_and_a_dutch_description() -> None:
    values = [a.value for a in AuditAction]
    assert len(values) == len(set(values)) >= 60
    for action in AuditAction:
        assert NAME_SHAPE.match(action.value), action
        assert action.description and action.description[0].isupper(), action
        assert describe(action.value) == action.description
    assert describe("niet.geregistreerd") == "niet.geregistreerd"  # an old, unregistered name stays readable


def test_no_action_name_is_written_as_a_string_literal() -> None:
    """Call sites use the members: no registered name as a literal, and no literal or f-string as a name."""
    registered = {a.value for a in AuditAction}
    found: list[str] = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in registered:
                found.append(f"{path.name}:{node.lineno} {node.value!r}")
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            carried = [kw.value for kw in node.keywords if kw.arg in ("action", "name") and called in WRITERS]
            carried += [kw.value for kw in node.keywords if kw.arg == "action"]
            position = WRITERS.get(called)
            if position is not None and len(node.args) > position:
                carried.append(node.args[position])
            for value in carried:
                if isinstance(value, ast.JoinedStr) or (
                    isinstance(value, ast.Constant) and isinstance(value.value, str) and called != "require"
                ):
                    found.append(f"{path.name}:{node.lineno} {ast.unparse(value)}")
    assert not found, "action names written as strings instead of AuditAction members:\n" + "\n".join(found)


def test_the_writer_refuses_a_name_outside_the_registry(shared_world: tuple[Engine, World]) -> None:
    engine, _ = shared_world
    keys = keys_from_secret("x")
    actor = ActorInfo(1, "a.analist", "ODA", "analist")
    with Session(engine) as session:
        with pytest.raises(ValueError, match=r"Onbekende audithandeling .registratie\.verzinnen."):
            record_event(session, keys, actor=actor, name="registratie.verzinnen", processing_activity="toezicht")  # type: ignore[arg-type]
        session.rollback()


@pytest.fixture
def web(shared_world: tuple[Engine, World], settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(shared_world[0], settings), base_url="https://testserver") as client:
        yield client


def test_the_viewer_shows_descriptions_and_filters_on_the_stored_name(
    web: TestClient, shared_world: tuple[Engine, World]
) -> None:
    engine, _ = shared_world
    login(web, "a.analist")
    assert web.get("/v1/registraties").status_code == 200
    login(web, "a.fg")
    page = web.get("/audit", params={"handeling": "registraties.lezen"})
    assert page.status_code == 200, page.text
    table = page.text.split('id="logregels"', 1)[1]
    assert (
        AuditAction.RECORDS_READ.description in table
        and '<code class="utrecht-code">registraties.lezen</code>' in table
    )
    with Session(engine) as session:
        stored = set(session.scalars(select(AuditEntry.name).distinct()))
    assert "registraties.lezen" in stored and stored <= {a.value for a in AuditAction}
    assert f'<option value="registraties.lezen" selected>{AuditAction.RECORDS_READ.description}</option>' in page.text
    assert "Inloggen" in web.get("/audit", params={"handeling": "inloggen"}).text.split('id="logregels"', 1)[1]
