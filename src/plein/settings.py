"""Runtime settings, read from the environment (prefix ``PLEIN_``) with safe local defaults."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from plein.errors import ConfigurationError

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


class Settings(BaseSettings):
    """All of plein's configuration; see README.md for each variable."""

    model_config = SettingsConfigDict(env_prefix="PLEIN_", env_file=None, extra="ignore")

    var_dir: Path = Field(default=Path("var"), description="Directory for the database, keys and demo files.")
    database_url: str = Field(default="", description="SQLAlchemy URL; default is SQLite at var/plein.db.")
    host: str = Field(default="127.0.0.1", description="Address the web server binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the web server listens on.")
    secret_key: str = Field(default="", description="Signing key; generated into var/ when not given.")
    assets_dir: Path = Field(
        default=Path("node_modules"), description="Front-end packages installed from the npm registry."
    )
    aggregate_min_cell: int = Field(
        default=10, ge=2, le=1000, description="Aggregates-only users never see a count below this (suppressed)."
    )
    cache_dir: Path | None = Field(
        default=None, description="Cache shared by every var/ (webwatch's name lexicon); default $XDG_CACHE_HOME/plein."
    )
    map_tile_url: str = Field(default="", description="Background map tiles for the map search; empty: a plain grid.")
    map_tile_attribution: str = Field(
        default="Kaartgegevens: Kadaster / PDOK", description="Attribution shown with the map tiles."
    )
    oidc_issuer: str = Field(default="", description="OpenID Connect issuer URL; single sign-on is off without it.")
    oidc_client_id: str = Field(default="", description="Client id of plein at the identity provider.")
    oidc_client_secret: str = Field(default="", description="Client secret of plein at the identity provider.")
    oidc_scope: str = Field(default="openid profile email", description="Scopes asked of the identity provider.")

    @property
    def oidc_configured(self) -> bool:
        """Single sign-on is on when issuer, client id and client secret are all set."""
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    def resolved_cache_dir(self) -> Path:
        """The configured cache, else ``$XDG_CACHE_HOME/plein`` (``~/.cache/plein``)."""
        if self.cache_dir is not None:
            return self.cache_dir
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "plein"

    workers: int = Field(
        default=0, ge=0, le=64, description="Server processes of plein serve; 0: one per CPU core (at most 8)."
    )
    db_pool_size: int = Field(
        default=10, ge=1, le=200, description="Database connections each server process keeps open."
    )
    db_max_overflow: int = Field(
        default=5, ge=0, le=200, description="Extra connections a server process may open at peaks."
    )
    db_busy_timeout: float = Field(
        default=10.0, gt=0, le=300, description="Seconds a SQLite writer waits for another's lock before failing."
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For the login throttle trusts.",
    )
    max_upload_mb: int = Field(default=2048, ge=1, le=100_000, description="Largest accepted upload, in MB.")
    audit_checkpoint_file: Path | None = Field(
        default=None, description="Signed audit tree heads, outside the database; default var/audit/checkpoints.log."
    )
    audit_witness_url: str = Field(default="", description="Optional URL each new audit checkpoint is posted to.")
    audit_seal_interval: float = Field(
        default=0.2, gt=0, le=60, description="Seconds between the audit appender's batches in plein serve."
    )
    audit_pending_bound: int = Field(
        default=60, ge=1, description="Seconds after which plein audit verify reports an entry still unsealed."
    )

    def resolved_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file under ``var_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'plein.db').resolve()}"

    def resolved_checkpoint_file(self) -> Path:
        """Where the signed audit checkpoints are appended."""
        return self.audit_checkpoint_file or self.var_dir / "audit" / "checkpoints.log"

    def ensure_var_dir(self) -> Path:
        """Create ``var_dir`` if needed and prove it is writable; one clear error otherwise."""
        path = self.var_dir
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            probe = path / ".write-test"
            probe.write_text("ok", encoding="utf-8")
            probe.unlink()
        except OSError as exc:
            raise ConfigurationError(
                f"De map {path} is niet schrijfbaar ({exc.strerror or exc}). "
                "Maak de map schrijfbaar of wijs een andere aan met PLEIN_VAR_DIR."
            ) from exc
        return path

    def request_slots(self) -> int:
        """Requests one server process handles at once: each holds at most one pooled connection."""
        return self.db_pool_size + self.db_max_overflow

    def resolved_secret_key(self) -> str:
        """The configured key, else the one in var/secret_key, generated (mode 0600) on first use."""
        if self.secret_key:
            return self.secret_key
        key_file = self.ensure_var_dir() / SECRET_KEY_FILE
        if key_file.exists():
            return key_file.read_text(encoding="utf-8").strip()
        key = secrets.token_urlsafe(48)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key)
        return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()
