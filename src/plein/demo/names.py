"""Company and person names for the demo world, and the ways partners misspell them."""

from __future__ import annotations

import random

from faker import Faker

from plein.demo.catalog import BRAND_WORDS, EXTRA_SURNAMES, PLACE_WORDS, Sector

SURNAME_PREFIXES = (
    "van der",
    "van den",
    "van de",
    "van 't",
    "van",
    "de",
    "den",
    "der",
    "het",
    "'t",
    "ter",
    "ten",
    "in 't",
    "op de",
)

LEGAL_SUFFIX = {
    "bv": "B.V.",
    "nv": "N.V.",
    "vof": "V.O.F.",
    "cv": "C.V.",
    "eenmanszaak": "",
    "maatschap": "",
    "stichting": "",
    "vereniging": "",
    "cooperatie": "U.A.",
}
SUFFIX_VARIANTS = {
    "B.V.": ("BV", "bv", "B.V", "b.v.", ""),
    "N.V.": ("NV", "nv", ""),
    "V.O.F.": ("VOF", "vof", "v.o.f.", ""),
}


class NamePools:
    """Pools drawn once from Faker (nl_NL) so that millions of names cost no Faker calls."""

    def __init__(self, rng: random.Random, seed: int) -> None:
        fake = Faker("nl_NL")
        fake.seed_instance(seed)
        self.rng = rng
        self.surnames = sorted({fake.last_name() for _ in range(3000)}) + list(EXTRA_SURNAMES)
        self.given_names = sorted({fake.first_name() for _ in range(1500)})
        self.streets = sorted({fake.street_name() for _ in range(4000)})

    def split_surname(self, surname: str) -> tuple[str, str]:
        """``van der Berg`` → (``van der``, ``Berg``)."""
        for prefix in SURNAME_PREFIXES:
            if surname.startswith(prefix + " "):
                return prefix, surname[len(prefix) + 1 :]
        return "", surname

    def capitalised_surname(self, surname: str) -> str:
        """Surnames stand capitalised at the start of a company name: ``Van der Berg``."""
        return surname[0].upper() + surname[1:] if surname[0].isalpha() else surname

    def company_name(self, sector: Sector, legal_form: str, founder_surname: str, place: str) -> str:
        """A plausible Dutch company name for the sector and legal form."""
        rng = self.rng
        word = rng.choice(sector.words)
        surname = self.capitalised_surname(founder_surname)
        pattern = rng.random()
        if legal_form == "maatschap":
            other = self.capitalised_surname(rng.choice(self.surnames))
            core = f"Maatschap {surname}-{other}"
        elif legal_form == "stichting":
            core = f"Stichting {word} {place}"
        elif legal_form == "cooperatie":
            core = f"Coöperatie {word} {rng.choice(PLACE_WORDS)}"
        elif pattern < 0.45:
            core = f"{surname} {word}"
        elif pattern < 0.65:
            core = f"{rng.choice(PLACE_WORDS)} {word}"
        elif pattern < 0.8:
            core = f"{rng.choice(BRAND_WORDS)}{word.split()[0].lower()} {place}"
        elif pattern < 0.9:
            core = f"{surname} & Zn. {word}"
        else:
            core = f"{word} {surname}"
        suffix = LEGAL_SUFFIX.get(legal_form, "")
        return f"{core} {suffix}".strip()


def typo(rng: random.Random, text: str) -> str:
    """One keyboard slip: a swapped, dropped or doubled letter."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 4:
        return text + "e"
    i = rng.choice(letters[1:-1])
    kind = rng.random()
    if kind < 0.4 and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind < 0.7:
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def name_variant(rng: random.Random, name: str) -> str:
    """How another partner writes the same company name: legal-form noise, typos, word order, case."""
    variant = name
    for _ in range(10):
        steps = rng.sample(("suffix", "typo", "order", "case", "prefix"), k=rng.choice((1, 1, 2)))
        variant = name
        for step in steps:
            if step == "suffix":
                for full, alternatives in SUFFIX_VARIANTS.items():
                    if variant.endswith(full):
                        variant = (variant[: -len(full)] + rng.choice(alternatives)).strip()
                        break
                else:
                    variant = variant + rng.choice((" Holding", " B.V.", " BV"))
            elif step == "typo":
                variant = typo(rng, variant)
            elif step == "order":
                words = variant.split()
                if len(words) >= 2:
                    words[0], words[1] = words[1], words[0]
                    variant = " ".join(words)
            elif step == "case":
                variant = variant.upper() if rng.random() < 0.5 else variant.lower()
            elif step == "prefix":
                variant = rng.choice(("Fa. ", "Firma ", "Handelsonderneming ")) + variant
        if variant != name:
            return variant
    return name + " (vestiging)"


def wrong_digits(rng: random.Random, number: str) -> str:
    """A mistyped identifier: two digits swapped or one digit changed."""
    digits = list(number)
    for _ in range(10):
        candidate = digits.copy()
        i = rng.randrange(len(candidate) - 1)
        if rng.random() < 0.5 and candidate[i] != candidate[i + 1]:
            candidate[i], candidate[i + 1] = candidate[i + 1], candidate[i]
        else:
            candidate[i] = str((int(candidate[i]) + rng.randint(1, 9)) % 10)
        result = "".join(candidate)
        if result != number and result[0] != "0":
            return result
    return number[::-1] if number[::-1] != number else "9" + number[1:]
