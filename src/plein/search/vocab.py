"""The token vocabulary in memory, for typo-tolerant and prefix matching of query words.

The vocabulary is small (a few thousand distinct words even for a million establishments, since
names are built from surnames, places and trade words), so edit-distance matching against all of
it with rapidfuzz takes well under a millisecond. It is cached per database and reloaded when the
index version changes.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA
from sqlalchemy import select
from sqlalchemy.orm import Session

from plein.search.models import SearchState, SearchVocab

MAX_PREFIX_VARIANTS = 40
MAX_FUZZY_VARIANTS = 20


def max_edits(token: str) -> int:
    """How many typos a word of this length may carry and still match (0 for short words)."""
    if len(token) <= 3:
        return 0
    return 1 if len(token) <= 7 else 2


@dataclass
class Vocabulary:
    """Distinct tokens with their document frequency, sorted for prefix look-ups."""

    version: int
    df: dict[str, int]
    ordered: list[str] = field(default_factory=list)
    by_length: dict[int, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ordered = sorted(self.df)
        for token in self.ordered:
            self.by_length.setdefault(len(token), []).append(token)

    def variants(self, token: str, *, prefix: bool = False) -> list[str]:
        """Indexed tokens that ``token`` may mean: itself, near misses, and (typing) its completions."""
        found: dict[str, None] = {}
        if token in self.df:
            found[token] = None
        edits = max_edits(token)
        if edits:
            pool = [t for n in range(len(token) - edits, len(token) + edits + 1) for t in self.by_length.get(n, ())]
            for match, _distance, _ in process.extract(
                token, pool, scorer=OSA.distance, score_cutoff=edits, limit=MAX_FUZZY_VARIANTS
            ):
                found.setdefault(match, None)
        if prefix and len(token) >= 2:
            start = bisect.bisect_left(self.ordered, token)
            end = bisect.bisect_left(self.ordered, token + "\uffff")
            completions = sorted(self.ordered[start:end], key=lambda t: -self.df[t])[:MAX_PREFIX_VARIANTS]
            for match in completions:
                found.setdefault(match, None)
        return list(found)

    def frequency(self, tokens: list[str]) -> int:
        """How many postings a set of variants has together (an upper bound on the names carrying one)."""
        return sum(self.df.get(t, 0) for t in tokens)


_cache: dict[str, Vocabulary] = {}
_lock = threading.Lock()


def index_version(session: Session) -> int:
    """The index version (0 when the index was never built)."""
    return int(session.scalar(select(SearchState.version).where(SearchState.id == 1)) or 0)


def vocabulary(session: Session) -> Vocabulary:
    """The current vocabulary of the session's database, loaded once per index version."""
    bind = session.get_bind()
    key = bind.engine.url.render_as_string(hide_password=True)
    version = index_version(session)
    cached = _cache.get(key)
    if cached is not None and cached.version == version:
        return cached
    rows = session.execute(select(SearchVocab.token, SearchVocab.df)).all()
    loaded = Vocabulary(version, {token: int(df) for token, df in rows})
    with _lock:
        _cache[key] = loaded
    return loaded
