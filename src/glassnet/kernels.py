"""The optional compiled kernels (``src/glassnet/_fused.c``) and when they may run.

A kernel does, in one pass over memory and split across the cores, the arithmetic of NumPy lines that
stay in the code beside the call as the reference and the fallback: the same operations, in the same
order and precision, so a result is the same bit for bit with or without the build
(tests/test_kernels.py checks each one against its NumPy lines). They exist where a benchmark showed
NumPy's passes over memory to be the largest cost after the matrix products (bench/README.md). The
products themselves (``matmul``) are NumPy's own BLAS call made without OpenBLAS's pass that zeroes C
first: NumPy's values, where a sum of -0 may come back +0. T is the arrays' dtype (float32 or float64):

    adam(W, dW, v, s, β1, β2, α_t, ε_t)      v = β1 v + (1-β1) g;  s = β2 s + g²(1-β2);
                                              W -= (v / (√s + ε_t)) α_t                    optimizers.Adam
    bias_act(Z, b, A, kind, α)               Z += b (per row);  A = max(Z, 0) (RELU),
                                              max(Z, αZ) (LEAKY), or no A (BIAS)         activations
    backward_sum(dA, Z, A, db, kind, α)      dA *= [Z > 0] (RELU), where(Z > 0, 1, α) (LEAKY),
                                              1 - A² (TANH), A(1 - A) (SIGMOID), 1 (LINEAR), in place;
                                              db = Σ_columns dA (NumPy's pairwise order; db None: no sum)
    output_dz(AL, Y, dZ, c)                  dZ = (AL - Y) c; Y integer labels: (AL - one_hot(Y)) c   losses
    argmax_hits(AL, Y)                       Σ_j [argmax_k AL[k, j] = label j]: the correct answers
                                              of a softmax's mini-batch (Y labels or one-hot)     metrics
    matmul(A, B, out)                        out = A B by NumPy's own gemm call, with β = 1 on a zeroed out
                                              (``matmul`` below: NumPy's values; a -0 sum may be +0)  layers
    gather(X, idx, out)                      out[r] = X[idx[r]]: a mini-batch's rows            minibatches
    gather_ahead(X, idx, out), gather_wait() the same copy on a thread of its own, off the caller's
                                              processor: the next mini-batch while this one trains

Threads: a kernel is shared by ``max_threads()`` threads, the caller's and helpers of a small pool in
_fused.c that take chunks of the work while they run and are never waited for when they do not (an
OpenMP team waits for all its threads: on a shared machine, a time slice per kernel; bench/README.md).
The count is OMP_NUM_THREADS when set, else the machine's processors; threadpoolctl sets it as a library
of user_api "openmp" (``threadpool_limits(1)``, the sweeps' one-thread-per-worker rule). A kernel that
moves less than ``compiled.min_parallel()`` bytes runs on the caller alone (a second core costs more
than it saves there: bench/README.md). A larger one runs the way that has been faster for its kernel
and size on this machine, the pool or the caller alone (``compiled.adaptive()``, on by default; each
way measured first, the other tried every 32nd run; ``compiled.way_stats()`` shows what was measured):
in a training loop BLAS's own threads wait on the second core between matrix products, and the pool
took 1.6-2x one thread's time there (bench/README.md, "Threads in a training loop"). Threads share rows
and elements, never a sum: each db row is summed whole by one thread, so neither the thread count nor
the way changes a bit.

``compiled`` is None, and the NumPy lines run, when the extension was not built (no C compiler with
OpenMP at install time), when GLASSNET_PURE_NUMPY=1 is set (for comparisons), and for arrays the
kernels do not take (``usable``: non-contiguous views, mixed or integer dtypes).
"""

from __future__ import annotations

import functools
import os

import numpy as np
import threadpoolctl

from .backend import xp

try:
    from . import _fused as compiled
except ImportError:  # pragma: no cover - depends on the build
    compiled = None
built = compiled  # the extension, even where GLASSNET_PURE_NUMPY turns it off: its thread count is still set
if os.environ.get("GLASSNET_PURE_NUMPY"):
    compiled = None

# The kernels' codes for g (the C enum in _fused.c; tests/test_kernels.py checks they agree)
RELU, LEAKY, BIAS, TANH, SIGMOID, LINEAR = range(6)


NATIVE_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))  # in the machine's byte order: '>f8' is not among them


def usable(*arrays) -> bool:
    """True when a compiled kernel can take these arrays: NumPy, C-contiguous, one float dtype in native order.

    A dtype that spells out the machine's byte order ('<f8' on x86) is float64 and runs compiled; a swapped
    one ('>f8' on x86) goes the NumPy way.
    """
    if compiled is None:
        return False
    dtype = arrays[0].dtype
    if dtype not in NATIVE_FLOATS:
        return False
    for a in arrays:  # noqa: SIM110 (a loop, not all(...): half the time, and it runs for every layer of every mini-batch)
        if type(a) is not np.ndarray or a.dtype != dtype or not a.flags.c_contiguous:
            return False
    return True


def usable_indices(index) -> bool:
    """True when ``index`` can be a kernel's integer argument: a C-contiguous np.intp NumPy array."""
    return compiled is not None and type(index) is np.ndarray and index.dtype == np.intp and index.flags.c_contiguous


def matmul(A, B, out=None):
    """Z = A B, the product ``xp.matmul(A, B, out=out)``: NumPy's values, without OpenBLAS's β pass where it can.

    NumPy asks BLAS for C = 1·A B + 0·C, and OpenBLAS first zeroes C in a pass of its own, then adds the
    product to it block by block. ``compiled.matmul`` makes NumPy's gemm call (its transpositions and
    leading dimensions) in NumPy's own BLAS with β = 1 on an ``out`` it has zeroed: the same additions
    (0 + x = x), without that pass (bench/README.md). The values are NumPy's; for small products, where
    OpenBLAS's β = 0 call takes a kernel of its own, a sum of −0 may come back +0 and another NaN may come
    back for a NaN, and no overflow warning is given (glassnet's callers say it in words). It runs once
    ``products_agree()``; anything it does not take (a dimension of 1, views BLAS cannot read, A @ A.T,
    other dtypes, CuPy arrays) goes to NumPy.
    """
    if (compiled is not None and type(A) is np.ndarray and type(B) is np.ndarray and A.ndim == 2 and B.ndim == 2
            and A.dtype in NATIVE_FLOATS and products_agree()):
        target = out
        if out is None and A.dtype == B.dtype and A.shape[1] == B.shape[0] and min(A.shape[0], B.shape[1]) > 1:
            target = np.empty((A.shape[0], B.shape[1]), A.dtype)
        if type(target) is np.ndarray and compiled.matmul(A, B, target):
            return target
    return xp.matmul(A, B, out=out)


@functools.cache
def products_agree() -> bool:
    """Whether ``compiled.matmul`` runs here and gives np.matmul's values on products of every kind it takes (once).

    Transposed or not, float32 and float64, a depth that BLAS cuts into blocks, a width that leaves
    remainders: a BLAS other than NumPy's, or one that adds differently with β = 1, fails and NumPy runs.
    """
    if compiled is None:
        return False
    rng = np.random.default_rng(0)
    for dtype in NATIVE_FLOATS:
        for m, n, p in ((37, 300, 29), (16, 1100, 8), (130, 64, 3)):
            for a_rows, b_rows in ((True, True), (True, False), (False, True), (False, False)):
                A = rng.standard_normal((m, n) if a_rows else (n, m)).astype(dtype)
                B = rng.standard_normal((n, p) if b_rows else (p, n)).astype(dtype)
                A, B = (A if a_rows else A.T), (B if b_rows else B.T)
                out = np.empty((m, p), dtype)
                if not (compiled.matmul(A, B, out) and np.array_equal(out, np.matmul(A, B))):
                    return False
    return True


def max_threads() -> int:
    """The threads a large kernel runs on now (1 without the compiled kernels)."""
    return 1 if compiled is None else compiled.max_threads()


class KernelThreads(threadpoolctl.LibController):
    """The kernels' thread pool as threadpoolctl sees it: user_api "openmp", internal_api "glassnet"."""

    user_api = "openmp"
    internal_api = "glassnet"
    filename_prefixes = ("_fused.",)

    def set_additional_attributes(self):
        if built is None or os.path.realpath(self.filepath) != os.path.realpath(built.__file__):
            raise OSError(f"{self.filepath} is not glassnet's kernels")  # another package's _fused: not ours

    def get_num_threads(self):
        return built.max_threads()

    def set_num_threads(self, num_threads):
        built.set_threads(max(1, int(num_threads)))

    def get_version(self):
        return None


if built is not None:
    threadpoolctl.register(KernelThreads)
