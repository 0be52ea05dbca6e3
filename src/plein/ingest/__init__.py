"""Partner data in: source registry, declarative mappings, streaming import, quarantine, data quality."""
