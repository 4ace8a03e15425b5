"""backend: the flat vectors' memory (huge pages where they help), the same values either way."""

import mmap
import pickle

import numpy as np
import pytest

import glassnet as gn
from glassnet import backend, optimizers


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [0, 7, 300_000, 600_001])
def test_zeros_vector_is_a_writable_zero_vector_of_the_dtype(n, dtype):
    v = backend.zeros_vector(n, dtype)
    assert v.shape == (n,) and v.dtype == dtype and v.flags.writeable and v.flags.c_contiguous
    assert not v.any()
    v[:] = 3.0
    assert (v == 3.0).all()


@pytest.mark.skipif(not hasattr(mmap, "MADV_HUGEPAGE"), reason="no transparent huge pages on this platform")
def test_large_vectors_start_on_a_huge_page_boundary_small_ones_are_plain_arrays():
    large = backend.zeros_vector(backend.HUGE_PAGE // 4, np.float32)
    assert large.ctypes.data % backend.HUGE_PAGE == 0
    small = backend.zeros_vector(1000, np.float32)
    assert small.base is None  # an ordinary NumPy allocation


def test_networks_and_optimizers_on_the_large_vectors_pickle_and_copy_unchanged():
    net = gn.Network([784, 512, 10], seed=0)
    assert net._theta.nbytes >= backend.HUGE_PAGE // 2
    opt = optimizers.Adam(0.01)
    opt.attach(net.parameter_shapes(), dtype=net.dtype)
    opt.step(net._theta, np.ones_like(net._theta))
    for clone in (pickle.loads(pickle.dumps(net)), net.copy()):
        np.testing.assert_array_equal(clone._theta, net._theta)
        assert np.shares_memory(clone.params["W1"], clone._theta)
    opt_clone = pickle.loads(pickle.dumps(opt))
    np.testing.assert_array_equal(opt_clone._flat["v"], opt._flat["v"])
