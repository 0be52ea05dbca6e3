"""plein's company-and-establishment linkage model for Splink.

Compared: the normalised name (legal form and filler words removed, tokens sorted), the KvK
number, the postcode, the house number, the street and the vestigingsnummer. Blocking keeps the
comparisons to pairs that share an address, a KvK number, a vestigingsnummer or a name.
"""

from __future__ import annotations

from plein.resolve.splink_model import FieldComparison, LinkageSpec


def company_spec(backend: str = "duckdb") -> LinkageSpec:
    """The linkage spec used by ``plein resolve``."""
    import splink.comparison_library as cl
    from splink import block_on

    comparisons = [
        FieldComparison("name_key", "naam", cl.JaroWinklerAtThresholds("name_key", [0.97, 0.9, 0.8])),
        FieldComparison("kvk", "KvK-nummer", cl.LevenshteinAtThresholds("kvk", [2])),
        FieldComparison("postcode", "postcode", cl.LevenshteinAtThresholds("postcode", [1])),
        FieldComparison("house_number", "huisnummer", cl.ExactMatch("house_number")),
        FieldComparison("street", "straat", cl.JaroWinklerAtThresholds("street", [0.9])),
        FieldComparison(
            "establishment_number", "vestigingsnummer", cl.LevenshteinAtThresholds("establishment_number", [2])
        ),
    ]
    return LinkageSpec(
        comparisons=comparisons,
        blocking_rules=[
            block_on("postcode", "house_number"),
            block_on("kvk"),
            block_on("establishment_number"),
            block_on("name_key", "postcode"),
        ],
        training_blocks=[block_on("postcode", "house_number"), block_on("kvk")],
        deterministic_rules=[block_on("kvk", "postcode", "house_number")],
        deterministic_recall=0.8,
        backend=backend,
    )
