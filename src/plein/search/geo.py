"""Geometry for map search: a bounding-box prefilter on the indexed latitude/longitude, then the exact
great-circle distance (or point-in-polygon) in Python. No PostGIS needed; the bench compares with it."""

from __future__ import annotations

import math
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from plein.core.geo import distance_m
from plein.core.models import Address, Establishment
from plein.errors import ValidationError
from plein.search.criteria import Circle

EARTH_RADIUS_M = 6_371_008.8
MAX_AREA_ESTABLISHMENTS = 20_000
Point = tuple[float, float]


def bounding_box(circle: Circle) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lon, max lon) that contains the circle, with a small margin."""
    dlat = math.degrees(circle.radius_m / EARTH_RADIUS_M) * 1.001
    dlon = dlat / max(math.cos(math.radians(abs(circle.latitude) + dlat)), 1e-6)
    return circle.latitude - dlat, circle.latitude + dlat, circle.longitude - dlon, circle.longitude + dlon


def point_in_polygon(lat: float, lon: float, ring: Sequence[Point]) -> bool:
    """Ray casting on lat/lon (fine at the scale of a drawn area); points on an edge count as inside."""
    inside = False
    n = len(ring)
    for i in range(n):
        (y1, x1), (y2, x2) = ring[i], ring[(i + 1) % n]
        if (
            (y1 - lat) * (x2 - lon) == (y2 - lat) * (x1 - lon)
            and min(y1, y2) <= lat <= max(y1, y2)
            and min(x1, x2) <= lon <= max(x1, x2)
        ):
            return True
        if (y1 > lat) != (y2 > lat):
            crossing = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < crossing:
                inside = not inside
    return inside


def _in_box(session: Session, box: tuple[float, float, float, float]) -> list[tuple[int, float, float]]:
    rows = session.execute(
        select(Establishment.id, Address.latitude, Address.longitude)
        .join(Address, Address.id == Establishment.address_id)
        .where(Address.latitude.between(box[0], box[1]), Address.longitude.between(box[2], box[3]))
        .limit(MAX_AREA_ESTABLISHMENTS * 4 + 1)
    ).all()
    return list(rows)


def _too_many() -> ValidationError:
    return ValidationError(
        f"gebied: meer dan {MAX_AREA_ESTABLISHMENTS} vestigingen; verklein de straal of het gebied, "
        "of gebruik bulkzoeken op postcode of plaats."
    )


def within_circle(session: Session, circle: Circle) -> dict[int, float]:
    """Establishment id → exact distance in metres, for every establishment within the circle."""
    rows = _in_box(session, bounding_box(circle))
    found = {}
    for est_id, lat, lon in rows:
        d = distance_m(circle.latitude, circle.longitude, lat, lon)
        if d <= circle.radius_m:
            found[est_id] = d
    if len(found) > MAX_AREA_ESTABLISHMENTS or len(rows) > MAX_AREA_ESTABLISHMENTS * 4:
        raise _too_many()
    return found


def within_polygon(session: Session, ring: Sequence[Point]) -> dict[int, float]:
    """Establishment id → distance to the polygon's first point, for every establishment inside it."""
    lats = [p[0] for p in ring]
    lons = [p[1] for p in ring]
    rows = _in_box(session, (min(lats), max(lats), min(lons), max(lons)))
    found = {
        est_id: distance_m(ring[0][0], ring[0][1], lat, lon)
        for est_id, lat, lon in rows
        if point_in_polygon(lat, lon, ring)
    }
    if len(found) > MAX_AREA_ESTABLISHMENTS or len(rows) > MAX_AREA_ESTABLISHMENTS * 4:
        raise _too_many()
    return found
