"""One configuration surface: every setting is a field of ``Settings`` and has a row in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from plein.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"
SRC = Path(__file__).resolve().parents[2] / "src" / "plein"


def _configuration_table() -> set[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `PLEIN_")]
    return {name for row in rows for name in re.findall(r"`(PLEIN_[A-Z0-9_]+)`", row.split("|")[1])}


def test_every_setting_has_a_row_in_the_readme() -> None:
    documented = _configuration_table()
    fields = {f"PLEIN_{name.upper()}" for name in Settings.model_fields}
    assert "PLEIN_DATABASE_URL" in fields and len(fields) >= 12
    assert not fields - documented, f"add these settings to the README's configuration table: {fields - documented}"
    assert not documented - fields, f"the README documents settings that do not exist: {documented - fields}"


def test_no_environment_reads_outside_settings() -> None:
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.name != "settings.py" and re.search(r"os\.environ\.get|os\.getenv|environ\[", path.read_text("utf-8"))
    ]
    assert not offenders, offenders


def test_oidc_and_map_tiles_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not Settings().oidc_configured
    monkeypatch.setenv("PLEIN_OIDC_ISSUER", "https://login.example.invalid/realms/plein")
    monkeypatch.setenv("PLEIN_OIDC_CLIENT_ID", "plein")
    assert not Settings().oidc_configured  # all three are needed
    monkeypatch.setenv("PLEIN_OIDC_CLIENT_SECRET", "geheim")
    monkeypatch.setenv("PLEIN_MAP_TILE_URL", "https://tegels.example.invalid/{z}/{x}/{y}.png")
    settings = Settings()
    assert settings.oidc_configured and settings.oidc_scope == "openid profile email"
    assert settings.map_tile_url.endswith("{y}.png") and settings.map_tile_attribution.startswith("Kaartgegevens")


def test_the_cache_follows_its_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert Settings().resolved_cache_dir() == tmp_path / "xdg" / "plein"
    monkeypatch.setenv("PLEIN_CACHE_DIR", str(tmp_path / "eigen"))
    assert Settings().resolved_cache_dir() == tmp_path / "eigen"
