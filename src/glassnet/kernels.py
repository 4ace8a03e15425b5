"""The optional compiled kernels (``src/glassnet/_fused.c``) and when they may run.

A kernel does, in one pass over memory, the arithmetic of NumPy lines that stay in the code beside
the call as the reference and the fallback: the same operations, in the same order and precision,
so a result is the same bit for bit with or without the build (tests/test_kernels.py checks each
one against its NumPy lines). They exist where a benchmark showed NumPy's passes over memory to be
the largest cost after the matrix products (bench/README.md):

    adam(W, dW, v, s, β1, β2, α_t, ε_t)    the Adam step, optimizers.Adam
    bias_relu(Z, b, A)                     Z += b; A = max(Z, 0), activations.ReLU
    relu_backward(dA, Z)                   dA *= (Z > 0), activations.ReLU

``compiled`` is None, and the NumPy lines run, when the extension was not built (no C compiler at
install time), when GLASSNET_PURE_NUMPY=1 is set (for comparisons), and for arrays the kernels do
not take (``usable``: non-contiguous views, mixed or integer dtypes).
"""

from __future__ import annotations

import os

import numpy as np

try:
    from . import _fused as compiled
except ImportError:  # pragma: no cover - depends on the build
    compiled = None

if os.environ.get("GLASSNET_PURE_NUMPY"):
    compiled = None


def usable(*arrays) -> bool:
    """True when a compiled kernel can take these arrays: NumPy, C-contiguous, one float dtype in native order.

    A dtype that spells out the machine's byte order ('<f8' on x86) is float64 and runs compiled; a swapped
    one ('>f8' on x86) goes the NumPy way.
    """
    if compiled is None:
        return False
    first = arrays[0]
    return first.dtype in (np.float32, np.float64) and all(
        type(a) is np.ndarray and a.flags.c_contiguous and a.dtype == first.dtype and a.dtype.isnative
        for a in arrays
    )
