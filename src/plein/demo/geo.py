"""Real Dutch cities: centre, a radius that stays inside the built-up area, and their PC4 ranges.

Centres are the cities' centres (WGS84, rounded); postcode ranges are the four-digit ranges
PostNL issued to each city. Points are drawn inside a radius that keeps them inside the city,
postcodes from the city's own ranges, so an address's postcode and position belong together.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from plein.core.identifiers import NEVER_ISSUED_POSTCODE_LETTERS

# Postcode letters never contain F, I, O, Q, U or Y; SA, SD and SS are never issued (core.identifiers).
POSTCODE_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"


@dataclass(frozen=True)
class City:
    """A city with the omgevingsdienst that covers it and a weight for how many companies it holds."""

    name: str
    municipality: str
    province: str
    latitude: float
    longitude: float
    radius_km: float
    postcode_ranges: tuple[tuple[int, int], ...]
    od_code: str
    weight: int


CITIES: tuple[City, ...] = (
    City(
        "Amsterdam",
        "Amsterdam",
        "Noord-Holland",
        52.3728,
        4.8936,
        5.0,
        ((1011, 1099), (1101, 1109)),
        "OD-NZKG",
        60,
    ),
    City("Rotterdam", "Rotterdam", "Zuid-Holland", 51.9225, 4.4792, 5.0, ((3011, 3089),), "DCMR", 50),
    City("Den Haag", "'s-Gravenhage", "Zuid-Holland", 52.0705, 4.3007, 4.0, ((2491, 2599),), "ODH", 40),
    City("Utrecht", "Utrecht", "Utrecht", 52.0907, 5.1214, 4.0, ((3511, 3585),), "ODRU", 35),
    City("Eindhoven", "Eindhoven", "Noord-Brabant", 51.4416, 5.4697, 4.0, ((5611, 5658),), "ODZOB", 25),
    City("Groningen", "Groningen", "Groningen", 53.2194, 6.5665, 3.0, ((9711, 9747),), "ODG", 20),
    City("Tilburg", "Tilburg", "Noord-Brabant", 51.5555, 5.0913, 4.0, ((5011, 5049),), "OMWB", 20),
    City("Almere", "Almere", "Flevoland", 52.3508, 5.2647, 4.5, ((1311, 1364),), "OFGV", 18),
    City("Breda", "Breda", "Noord-Brabant", 51.5719, 4.7683, 3.5, ((4811, 4839),), "OMWB", 16),
    City("Nijmegen", "Nijmegen", "Gelderland", 51.8126, 5.8372, 3.5, ((6511, 6546),), "ODRN", 16),
    City("Apeldoorn", "Apeldoorn", "Gelderland", 52.2112, 5.9699, 3.5, ((7311, 7339),), "ODVIJ", 14),
    City("Haarlem", "Haarlem", "Noord-Holland", 52.3874, 4.6462, 2.5, ((2011, 2037),), "OD-NZKG", 14),
    City("Arnhem", "Arnhem", "Gelderland", 51.9851, 5.8987, 3.5, ((6811, 6846),), "ODRA", 14),
    City("Enschede", "Enschede", "Overijssel", 52.2215, 6.8937, 3.5, ((7511, 7548),), "ODT", 14),
    City("Amersfoort", "Amersfoort", "Utrecht", 52.1561, 5.3878, 3.0, ((3811, 3829),), "ODRU", 13),
    City("Zaandam", "Zaanstad", "Noord-Holland", 52.4420, 4.8292, 2.5, ((1501, 1509),), "OD-NZKG", 12),
    City(
        "'s-Hertogenbosch",
        "'s-Hertogenbosch",
        "Noord-Brabant",
        51.6978,
        5.3037,
        3.0,
        ((5211, 5249),),
        "ODBN",
        13,
    ),
    City("Zwolle", "Zwolle", "Overijssel", 52.5168, 6.0830, 3.0, ((8011, 8046),), "ODIJ", 12),
    City("Leiden", "Leiden", "Zuid-Holland", 52.1601, 4.4970, 2.2, ((2311, 2334),), "ODWH", 11),
    City("Maastricht", "Maastricht", "Limburg", 50.8514, 5.6910, 3.0, ((6211, 6229),), "RUDZL", 11),
    City("Dordrecht", "Dordrecht", "Zuid-Holland", 51.8133, 4.6901, 2.5, ((3311, 3329),), "OZHZ", 11),
    City("Leeuwarden", "Leeuwarden", "Friesland", 53.2012, 5.7999, 2.8, ((8911, 8939),), "FUMO", 10),
    City("Delft", "Delft", "Zuid-Holland", 52.0116, 4.3571, 2.2, ((2611, 2629),), "ODH", 9),
    City("Deventer", "Deventer", "Overijssel", 52.2551, 6.1639, 2.8, ((7411, 7429),), "ODIJ", 9),
    City("Alkmaar", "Alkmaar", "Noord-Holland", 52.6324, 4.7534, 2.5, ((1811, 1827),), "ODNHN", 9),
    City("Venlo", "Venlo", "Limburg", 51.3704, 6.1724, 3.0, ((5911, 5928),), "RUDLN", 9),
    City("Helmond", "Helmond", "Noord-Brabant", 51.4793, 5.6570, 2.8, ((5701, 5709),), "ODZOB", 8),
    City("Heerlen", "Heerlen", "Limburg", 50.8882, 5.9795, 2.2, ((6411, 6422),), "RUDZL", 8),
    City("Emmen", "Emmen", "Drenthe", 52.7792, 6.9069, 3.0, ((7811, 7828),), "RUDD", 8),
    City("Zoetermeer", "Zoetermeer", "Zuid-Holland", 52.0575, 4.4931, 2.8, ((2711, 2729),), "ODH", 8),
    City("Oss", "Oss", "Noord-Brabant", 51.7650, 5.5180, 2.5, ((5341, 5351),), "ODBN", 7),
    City("Roosendaal", "Roosendaal", "Noord-Brabant", 51.5308, 4.4653, 2.5, ((4701, 4709),), "OMWB", 7),
    City("Moerdijk", "Moerdijk", "Noord-Brabant", 51.7016, 4.6267, 1.5, ((4781, 4782),), "OMWB", 6),
    City("Schiedam", "Schiedam", "Zuid-Holland", 51.9192, 4.3989, 1.8, ((3111, 3125),), "DCMR", 7),
    City("Hoorn", "Hoorn", "Noord-Holland", 52.6424, 5.0597, 2.2, ((1621, 1628),), "ODNHN", 6),
    City("Lelystad", "Lelystad", "Flevoland", 52.5185, 5.4714, 3.5, ((8211, 8245),), "OFGV", 6),
    City("Assen", "Assen", "Drenthe", 52.9925, 6.5649, 2.5, ((9401, 9409),), "RUDD", 6),
    City("Vlissingen", "Vlissingen", "Zeeland", 51.4425, 3.5736, 2.2, ((4381, 4389),), "RUDZE", 5),
    City("Terneuzen", "Terneuzen", "Zeeland", 51.3353, 3.8283, 2.2, ((4531, 4539),), "RUDZE", 5),
    City("Weert", "Weert", "Limburg", 51.2517, 5.7069, 2.2, ((6001, 6006),), "RUDLN", 5),
    City("Den Helder", "Den Helder", "Noord-Holland", 52.9563, 4.7601, 2.5, ((1781, 1789),), "ODNHN", 5),
)

CITY_BY_NAME = {city.name: city for city in CITIES}


def random_point(rng: random.Random, city: City) -> tuple[float, float]:
    """A point uniformly inside the city's radius (equirectangular approximation, fine at city scale)."""
    distance_km = city.radius_km * math.sqrt(rng.random())
    bearing = rng.random() * 2 * math.pi
    dlat = (distance_km * math.cos(bearing)) / 111.32
    dlon = (distance_km * math.sin(bearing)) / (111.32 * math.cos(math.radians(city.latitude)))
    return round(city.latitude + dlat, 6), round(city.longitude + dlon, 6)


def random_postcode(rng: random.Random, city: City) -> str:
    """A postcode from one of the city's PC4 ranges, with letters that are issued."""
    low, high = rng.choice(city.postcode_ranges)
    digits = rng.randint(low, high)
    while True:
        letters = rng.choice(POSTCODE_LETTERS) + rng.choice(POSTCODE_LETTERS)
        if letters not in NEVER_ISSUED_POSTCODE_LETTERS:
            return f"{digits} {letters}"
