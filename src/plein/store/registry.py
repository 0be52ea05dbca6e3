"""Imports every module that defines tables, so the one metadata is complete for migrations.

Each feature module with tables adds one import line here.
"""

from plein.audit import models as audit_models
from plein.auth import models as auth_models
from plein.core import models as core_models
from plein.core.models import Base
from plein.follow import models as follow_models
from plein.ingest import models as ingest_models
from plein.policy import models as policy_models
from plein.resolve import models as resolve_models
from plein.retention import models as retention_models
from plein.search import models as search_models
from plein.webwatch import models as webwatch_models

__all__ = [
    "Base",
    "audit_models",
    "auth_models",
    "core_models",
    "follow_models",
    "ingest_models",
    "policy_models",
    "resolve_models",
    "retention_models",
    "search_models",
    "webwatch_models",
]
