"""The Merkle tree over the audit chain (RFC 6962/9162 hashing), so one entry can be proved in a tree head.

Leaves are the entries' chain hashes in sequence order. The tree head (size + root) is what the
checkpoints sign; a ``Frontier`` (the roots of the perfect subtrees, largest first) extends the tree
by a batch without reading the older leaves again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


def leaf_hash(entry_hash: str) -> bytes:
    """The leaf of one entry: a domain-separated hash of its chain hash."""
    return hashlib.sha256(b"\x00" + bytes.fromhex(entry_hash)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


@dataclass(slots=True)
class Frontier:
    """A tree of ``size`` leaves kept as its perfect-subtree roots (one per set bit of ``size``)."""

    size: int = 0
    roots: list[bytes] = field(default_factory=list)

    def append(self, leaf: bytes) -> None:
        node, carried = leaf, self.size
        while carried & 1:
            node = node_hash(self.roots.pop(), node)
            carried >>= 1
        self.roots.append(node)
        self.size += 1

    def root(self) -> str:
        if not self.roots:
            return EMPTY_ROOT
        node = self.roots[-1]
        for left in reversed(self.roots[:-1]):
            node = node_hash(left, node)
        return node.hex()

    def dump(self) -> str:
        return ",".join(r.hex() for r in self.roots)

    @classmethod
    def load(cls, size: int, text: str) -> Frontier:
        roots = [bytes.fromhex(part) for part in text.split(",") if part]
        if len(roots) != bin(size).count("1"):
            raise ValueError("frontier does not match the tree size")
        return cls(size, roots)


def _split(n: int) -> int:
    """The largest power of two below ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def tree_root(leaves: Sequence[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return bytes.fromhex(EMPTY_ROOT)
    if n == 1:
        return leaves[0]
    k = _split(n)
    return node_hash(tree_root(leaves[:k]), tree_root(leaves[k:]))


def inclusion_path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` (0-based) in the tree of ``leaves`` (RFC 6962 PATH)."""
    n = len(leaves)
    if n <= 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_path(leaves[:k], index), tree_root(leaves[k:])]
    return [*inclusion_path(leaves[k:], index - k), tree_root(leaves[:k])]


def root_from_path(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes | None:
    """The root the path leads to from ``leaf`` (RFC 9162 §2.1.3.2), or None if the path has the wrong length."""
    if not 0 <= index < size:
        return None
    fn, sn, node = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            node = node_hash(sibling, node)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            node = node_hash(node, sibling)
        fn >>= 1
        sn >>= 1
    return node if sn == 0 else None
