"""Which derivatives a check compares: every coordinate (exact) or a sample of each block (fast).

Exact mode perturbs every coordinate: 2 cost evaluations per parameter. Fast mode, for large
networks, checks in every block (W1, b1, ...) a sample of coordinates (always including the
block's largest analytic entry) and directional derivatives

    (J(θ + ε v) − J(θ − ε v)) / (2ε)  against  dθ · v      (v a unit vector inside the block)

along the block's own analytic gradient (which catches any wrong scale of the whole block) and
along a few random directions (which see every entry of the block at once). The notes'
difference formula is then taken over the vector of all those checked derivatives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..backend import make_rng
from ..errors import HyperparameterError, ShapeError

AUTO_EXACT_LIMIT = 20_000
"""mode="auto" checks every coordinate up to this many parameters, and samples above it."""


@dataclass
class Block:
    """One named parameter (W1, b1, ...) inside the flat vector θ: θ[start:start + size]."""

    name: str
    shape: tuple
    start: int
    size: int


@dataclass
class Plan:
    """Which derivatives to check: coordinates and unit directions, per block."""

    coords: list[np.ndarray]
    directions: list[list[np.ndarray]]


def resolve_mode(mode: str, n: int) -> str:
    """"auto" -> "exact" up to AUTO_EXACT_LIMIT parameters, "fast" above."""
    if mode == "auto":
        return "exact" if n <= AUTO_EXACT_LIMIT else "fast"
    return mode


def make_plan(blocks: list[Block], analytic: np.ndarray, mode: str, samples: int, directions: int,
              seed) -> Plan:
    """Every coordinate (exact, or a block no larger than ``samples``), else a sample and directions."""
    rng = make_rng(seed)
    coords, dirs = [], []
    for block in blocks:
        g = analytic[block.start:block.start + block.size]
        if mode == "exact" or block.size <= samples:
            coords.append(np.arange(block.size))
            dirs.append([])
            continue
        chosen = rng.choice(block.size, size=samples, replace=False)
        top = int(np.argmax(np.abs(g)))  # the best signal-to-noise entry of the block
        if top not in chosen:
            chosen[-1] = top
        coords.append(np.sort(chosen))
        vs = []
        norm = float(np.linalg.norm(g))
        if norm > 0:
            vs.append(g / norm)
        for _ in range(directions):
            v = rng.standard_normal(block.size)
            vs.append(v / np.linalg.norm(v))
        dirs.append(vs)
    return Plan(coords, dirs)


def blocks_from_names(names, size: int) -> list[Block]:
    """Blocks from a list of (name, shape) pairs or a dict name -> shape; one block "theta" if None."""
    if names is None:
        return [Block("theta", (size,), 0, size)]
    items = list(names.items()) if isinstance(names, Mapping) else list(names)
    blocks, start = [], 0
    for item in items:
        try:
            name, shape = item
            shape = (int(shape),) if np.ndim(shape) == 0 else tuple(int(s) for s in shape)
        except (TypeError, ValueError) as exc:
            raise HyperparameterError(
                f"names must be a list of (name, shape) pairs or a dict name -> shape, got item {item!r}"
            ) from exc
        n = int(np.prod(shape))
        blocks.append(Block(str(name), shape, start, n))
        start += n
    if start != size:
        raise ShapeError(
            f"names describe {start} values ({', '.join(f'{b.name} {b.shape}' for b in blocks)}) but theta has "
            f"{size}; the blocks must partition theta in order"
        )
    return blocks


__all__ = ["AUTO_EXACT_LIMIT", "Block", "Plan", "blocks_from_names", "make_plan", "resolve_mode"]
