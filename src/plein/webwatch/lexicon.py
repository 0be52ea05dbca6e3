"""Dutch first names, surnames and street names from deduce's lookup lists, cached as plain sets.

deduce builds tries of Python objects that take about ten seconds to load; the scrubber needs only
membership tests, so the lists are flattened once into frozensets and pickled in the user's cache
directory (keyed by deduce's version), which loads in well under a second.
"""

from __future__ import annotations

import logging
import os
import pickle
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from plein.settings import get_settings

STREET_SUFFIXES = (
    "straat",
    "laan",
    "weg",
    "plein",
    "gracht",
    "kade",
    "dijk",
    "singel",
    "steeg",
    "pad",
    "hof",
    "park",
    "dreef",
    "markt",
    "baan",
    "erf",
    "veld",
    "ring",
    "allee",
    "boulevard",
    "wal",
    "haven",
    "dam",
    "tuin",
    "plantsoen",
    "promenade",
    "passage",
    "straatweg",
    "vaart",
    "brink",
    "zijde",
    "kant",
    "laantje",
    "pleintje",
    "straatje",
    "hoven",
    "poort",
    "burg",
    "akker",
    "donk",
    "berg",
    "dal",
    "hoek",
    "oord",
    "rode",
    "horst",
)


@dataclass(frozen=True)
class Lexicon:
    """Lower-cased name and street lists; street names here are those the suffix pattern misses."""

    first_names: frozenset[str]
    surnames: frozenset[str]
    streets: frozenset[str]
    interfixes: frozenset[str]
    common_words: frozenset[str]


def _walk(trie: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    stack = [(trie, prefix)]
    while stack:
        node, path = stack.pop()
        if node.is_terminal:
            found.append(path)
        for key, child in node.children.items():
            stack.append((child, (*path, key)))
    return found


def _deduce_class() -> Any:
    """deduce's ``Deduce``, imported without its side effect: at import it calls
    ``logging.basicConfig(stream=sys.stdout, level=DEBUG)``, which sends every library's debug log
    (Scrapy's among them) to standard output, where commands print their JSON summaries."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from deduce import Deduce
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return Deduce


def _build() -> Lexicon:
    structs = _deduce_class()().lookup_structs
    first = {" ".join(t).lower() for t in _walk(structs["first_name"])}
    surnames = {" ".join(t).lower() for t in _walk(structs["surname"])}
    streets = {
        " ".join(t).lower()
        for t in _walk(structs["street"])
        if len(t) <= 3 and not t[-1].lower().endswith(STREET_SUFFIXES) and len(t[-1]) > 3
    }
    common = {w.lower() for key in ("common_word", "whitelist", "stop_word", "medical_term") for w in structs[key]}
    interfix = {w.lower() for w in structs["interfix"]}
    return Lexicon(frozenset(first), frozenset(surnames), frozenset(streets), frozenset(interfix), frozenset(common))


def cache_dir() -> Path:
    """The settings' cache (``PLEIN_CACHE_DIR``, default ``~/.cache/plein``): shared by every var/ and test run."""
    return get_settings().resolved_cache_dir()


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The lexicon, from the cache when it is there, else built from deduce and cached."""
    path = cache_dir() / f"deduce-lexicon-{version('deduce')}.pickle"
    if path.exists():
        with path.open("rb") as handle:
            loaded = pickle.load(handle)  # noqa: S301 - our own cache file, written below
        if isinstance(loaded, Lexicon):
            return loaded
    lexicon = _build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(lexicon, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        pass  # no writable cache: build again next time, slower but correct
    return lexicon
