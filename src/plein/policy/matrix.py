"""The legal-basis matrix: read the packaged YAML (its Wgs categories are read by ``policy.wgs``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

MATRIX_FILE = Path(__file__).parent / "legal_basis_matrix.yaml"


@lru_cache(maxsize=1)
def load_matrix(path: Path = MATRIX_FILE) -> dict[str, Any]:
    """The parsed matrix file (parties, bases, wgs)."""
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def default_bases() -> list[dict[str, Any]]:
    """Rows for the ``legal_basis`` table from the covenant matrix."""
    return [
        {
            "from_party": row["from"],
            "to_party": row["to"],
            "basis": row["basis"],
            "uncertain": bool(row.get("uncertain", False)),
            "justification": "Convenant gegevensuitwisseling en samenwerking 2020, tabel 1"
            + (" (lezing onzeker)" if row.get("uncertain") else ""),
        }
        for row in load_matrix()["bases"]
    ]


def matrix_parties() -> list[str]:
    """The party names of the matrix (OD-toezicht, OD-BOA, Politie, OM, ILT, …)."""
    return list(load_matrix()["parties"])
