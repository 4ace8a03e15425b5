"""The array namespace ``xp`` (NumPy), the dtype policy, seeding, and the memory of the flat vectors.

Math modules write ``xp.exp(Z)`` instead of ``np.exp(Z)``, so the namespace is named in one place.

Dtype policy: networks compute in ``float32`` by default (about twice as fast as float64 on a
CPU, and enough for training); ``float64`` on request, and always for gradient checks, where the
two-sided difference needs the extra digits.
"""

from __future__ import annotations

import contextlib
import mmap

import numpy as np

from .errors import HyperparameterError, TooLargeError, plain

DTYPES = {"float32": np.dtype(np.float32), "float64": np.dtype(np.float64)}
DEFAULT_DTYPE = "float32"


xp = np
"""The array namespace of the math modules (``xp.matmul``, ``xp.exp``, ...): NumPy. A GPU namespace
(CuPy) comes back only together with tests that run on a GPU."""


# Transparent huge pages (Linux): a 2 MiB page where the processor's address translation needs 512
# entries of 4 KiB otherwise. Adam's pass over its flat vectors (parameters, gradients, two
# moments: 8.6 MB for 784-512-256-10) runs about 20 % faster on them once the matrix products have
# pushed those vectors out of the caches (bench/README.md).
HUGE_PAGE = 2 << 20


def zeros_vector(n: int, dtype):
    """A zero-filled 1-D array of ``n`` elements for the flat parameter, gradient and state vectors.

    From 1 MiB on, with NumPy on Linux, its memory starts on a 2 MiB boundary and is advised for
    transparent huge pages (``madvise(MADV_HUGEPAGE)``); the values are the same either way.
    """
    dtype = np.dtype(dtype)
    nbytes = n * dtype.itemsize
    try:
        if nbytes < HUGE_PAGE // 2 or not hasattr(mmap, "MADV_HUGEPAGE"):
            return xp.zeros(n, dtype=dtype)
        # A private anonymous mapping is zero-filled; one spare huge page leaves room to align the start.
        region = mmap.mmap(-1, nbytes + HUGE_PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    except (OSError, MemoryError) as exc:  # the system refused: say how much was asked for
        raise TooLargeError(
            f"a vector of {n:,} {dtype.name} numbers ({nbytes / 2**30:.3g} GiB) could not be allocated ({exc}); "
            f"use a smaller network or free memory"
        ) from exc
    start = -np.frombuffer(region, dtype=np.uint8, count=1).ctypes.data % HUGE_PAGE
    with contextlib.suppress(OSError):  # a kernel without transparent huge pages: plain pages then
        region.madvise(mmap.MADV_HUGEPAGE, start, nbytes + HUGE_PAGE - start)
    return np.frombuffer(region, dtype=dtype, count=n, offset=start)  # keeps the mapping alive


def resolve_dtype(dtype) -> np.dtype:
    """``"float32"`` / ``"float64"`` (or the NumPy types) -> ``np.dtype``; anything else is refused."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved is None or resolved.name not in DTYPES:
        raise HyperparameterError(
            f"dtype must be 'float32' or 'float64', got {plain(dtype)!r}; "
            "float32 is the fast default, float64 is for checks that need the digits"
        )
    return resolved


def make_rng(seed=None) -> np.random.Generator:
    """One ``numpy.random.Generator`` from ``seed`` (an int, a Generator, or None for fresh entropy).

    Every random choice in glassnet draws from a Generator made here; the global ``np.random``
    state is never used.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0
    ):
        raise HyperparameterError(
            f"seed must be a non-negative integer or None, got {seed!r}"
        )
    return np.random.default_rng(seed)


def spawn_seed(rng: np.random.Generator) -> int:
    """Draw an integer seed from ``rng`` for a child generator (keeps one seed at the root)."""
    return int(rng.integers(0, 2**63 - 1))


# Below this many floating-point operations per matrix product, a second BLAS thread costs more
# (start-up, spinning, cache traffic) than it saves: the notes' small networks run several times
# faster on one thread, and much faster still when other processes compete for the cores.
SMALL_PRODUCT_FLOPS = 2e7


def blas_threads(limit: int | None):
    """A context that limits the BLAS thread pool to ``limit`` threads (None: leave it as it is)."""
    if limit is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=limit, user_api="blas")


def threads_for(layer_dims, batch: int) -> int | None:
    """1 when the largest product of a forward pass, 2·n[l]·n[l-1]·batch, is small; else None."""
    largest = max(2 * n * n_prev * batch for n_prev, n in zip(layer_dims[:-1], layer_dims[1:], strict=True))
    return 1 if largest < SMALL_PRODUCT_FLOPS else None
