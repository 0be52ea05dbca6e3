"""plein: an open-source platform for Dutch supervision and enforcement partnerships."""

__version__ = "0.1.0"
