"""Jinja filters for Dutch pages: labels instead of codes, decimal commas, dd-mm-jjjj and local times.

Templates never format numbers or dates by hand; they use these, so every page reads alike.
"""

from __future__ import annotations

from jinja2 import Environment

from plein.core import labels


def install_filters(env: Environment) -> None:
    """Register the filters (``label``, ``getal``, ``meervoud``, ``datum``, ``tijdstip``, ``reden``) on ``env``."""
    env.filters["label"] = labels.label
    env.filters["getal"] = labels.number
    env.filters["meervoud"] = labels.plural
    env.filters["datum"] = labels.date
    env.filters["tijdstip"] = labels.moment
    env.filters["reden"] = labels.reason
