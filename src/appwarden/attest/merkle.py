"""RFC 6962 / RFC 9162 Merkle tree hashing, inclusion and consistency proofs (SHA-256).

Contract (RFC 9162 section 2.1):

* leaf hash ``SHA-256(0x00 || data)``, interior node ``SHA-256(0x01 || left || right)``; the empty tree's hash is
  ``SHA-256("")``;
* :func:`inclusion_proof` / :func:`consistency_proof` build the audit paths of RFC 9162 2.1.3.1 / 2.1.4.1 from the
  list of leaf hashes; :func:`verify_inclusion` / :func:`verify_consistency` are the verification algorithms of
  RFC 9162 2.1.3.2 / 2.1.4.2 and return ``False`` (never raise) on any mismatch or malformed proof.

Proof generation walks the tree bottom-up level by level (not the recursive definitions of the RFC), so the tests can
compare it against an independent transcription of those definitions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """The RFC 9162 hash of one leaf's data."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The RFC 9162 hash of an interior node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n`` >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _subtree_root(leaves: Sequence[bytes], start: int, end: int) -> bytes:
    """MTH of ``leaves[start:end]`` (leaf hashes), computed bottom-up without recursion."""
    level = list(leaves[start:end])
    if not level:
        return EMPTY_ROOT
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])  # an odd node is promoted unchanged (same as the RFC's left-balanced split)
        level = nxt
    return level[0]


def root_hash(leaves: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of a list of leaf hashes."""
    return _subtree_root(leaves, 0, len(leaves))


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The sibling subtrees ``[start, end)`` of leaf ``index``'s audit path in the tree of ``size`` leaves,
    nearest first (RFC 9162 2.1.3.1); ValueError when ``index`` is outside the tree."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} outside a tree of {size}")
    path: list[tuple[int, int]] = []  # from the root down
    start, end = 0, size
    while end - start > 1:
        k = _largest_power_of_two_below(end - start)
        if index < start + k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
    return path[::-1]


def consistency_ranges(old_size: int, size: int) -> list[tuple[int, int]]:
    """The subtrees ``[start, end)`` of the consistency proof from ``old_size`` to ``size`` leaves, in proof order
    (RFC 9162 2.1.4.1); empty when ``old_size`` is 0 or ``size``; ValueError when ``old_size`` is outside
    ``0..size``."""
    if not 0 <= old_size <= size:
        raise ValueError(f"old size {old_size} outside 0..{size}")
    if old_size in (0, size):
        return []
    ranges: list[tuple[int, int]] = []  # from the root down
    start, end, m, complete = 0, size, old_size, True
    while True:
        n = end - start
        if m == n:
            if not complete:
                ranges.append((start, end))
            break
        k = _largest_power_of_two_below(n)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m, complete = start + k, m - k, False
    return ranges[::-1]


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``leaves`` (leaf hashes), nearest sibling first."""
    return [_subtree_root(leaves, s, e) for s, e in inclusion_ranges(index, len(leaves))]


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """The proof that the tree of the first ``old_size`` leaves is a prefix of the tree of ``leaves``."""
    return [_subtree_root(leaves, s, e) for s, e in consistency_ranges(old_size, len(leaves))]


def verify_inclusion(index: int, tree_size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 2.1.3.2: whether ``proof`` shows leaf hash ``leaf`` at ``index`` in the tree with ``root``."""
    if not 0 <= index < tree_size or any(len(p) != HASH_SIZE for p in proof):
        return False
    fn, sn = index, tree_size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: whether ``proof`` shows the tree (``old_size``, ``old_root``) is a prefix of the tree
    (``new_size``, ``new_root``). Equal sizes need an empty proof and equal roots; old size 0 is always consistent."""
    if not 0 <= old_size <= new_size or any(len(p) != HASH_SIZE for p in proof):
        return False
    if old_size == 0:
        return not proof
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
