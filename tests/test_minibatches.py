"""The fit loop's mini-batches: X{t} = X[:, order[t b : (t+1) b]], copied now or ahead on another core, the same.

The copy of X{t+1} that ``gather_next`` starts while mini-batch t trains is a copy: tolerance none, the tests
compare bytes. The loop's own results with and without the compiled kernels are in tests/test_kernels.py.
"""

import os
import sys
import threading

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import glassnet as gn
from glassnet import kernels
from glassnet.backend import make_rng
from glassnet.layer_stats import epoch_record
from glassnet.minibatches import MiniBatches

from .conftest import same_bits

compiled_only = pytest.mark.skipif(kernels.compiled is None, reason="the optional compiled kernels are not built")


def data(m=1000, n=37, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    XT = rng.standard_normal((m, n)).astype(dtype)
    YT = rng.integers(0, 4, (m, 1)).astype(np.intp)
    WT = rng.random((m, 1))
    return XT, YT, WT, rng.permutation(m)


def expected(XT, YT, WT, order, t, b):
    idx = order[t * b:(t + 1) * b]
    return XT[idx].T, YT[idx].T, WT[idx].T


def epoch(batches, ahead: bool):
    """Each mini-batch as the loop sees it when it trains: taken, then (ahead) the next one started, then read."""
    seen = []
    for t in range(len(batches)):
        Xb, Yb, wb = batches.take(t)
        if ahead:
            batches.gather_next(t)
        seen.append((Xb.copy(), Yb, wb))
    batches.finish()
    return seen


@pytest.mark.parametrize("ahead", [True, False])
@pytest.mark.parametrize(("m", "b", "dtype"), [(1000, 128, np.float32), (1000, 100, np.float64), (7, 3, np.float32),
                                               (5, 5, np.float64), (300, 1, np.float32), (10, 64, np.float32)])
def test_every_mini_batch_is_its_examples_copied_now_or_ahead(m, b, dtype, ahead):
    XT, YT, WT, order = data(m, dtype=dtype)
    batches = MiniBatches(XT, YT, WT, b)
    assert len(batches) == -(-m // b)  # ⌈m/b⌉: the last batch may be smaller
    for _ in range(2):  # two epochs: the buffers are reused
        order = np.random.default_rng(m).permutation(m)
        batches.shuffle(order if b < m else None)
        seen = epoch(batches, ahead)
        for t, (Xb, Yb, wb) in enumerate(seen):
            want = expected(XT, YT, WT, order, t, b) if b < m else (XT.T, YT.T, WT.T)
            assert same_bits(Xb, want[0]) and same_bits(Yb, want[1]) and same_bits(wb, want[2]), t
            assert Xb.shape == (XT.shape[1], min(b, m - t * b))


def test_full_batch_is_the_data_set_itself():
    XT, YT, _, _ = data(50)
    batches = MiniBatches(XT, YT, None, 50)
    batches.shuffle(None)
    Xb, Yb, wb = batches.take(0)
    assert np.shares_memory(Xb, XT) and wb is None and len(batches) == 1
    batches.gather_next(0)  # nothing to copy ahead
    assert batches.ahead is None and np.shares_memory(batches.take(0)[0], XT)


def test_a_mini_batch_stays_as_it_was_while_the_next_one_is_copied():
    """X{t} is read by the backward pass and the final check after gather_next(t): the copy goes to the other buffer."""
    XT, YT, WT, order = data(4000, 784)
    batches = MiniBatches(XT, YT, WT, 128)
    batches.shuffle(order)
    for t in range(len(batches) - 1):
        Xb = batches.take(t)[0]
        batches.gather_next(t)
        assert same_bits(Xb, expected(XT, YT, WT, order, t, 128)[0])  # read while X{t+1} is being copied
        batches.finish()
        assert same_bits(Xb, expected(XT, YT, WT, order, t, 128)[0])


@pytest.mark.parametrize("dtype", [np.float16, np.dtype(">f4"), np.int64])
def test_arrays_the_kernels_do_not_take_are_copied_with_np_take(dtype):
    XT, YT, WT, order = data(300, dtype=np.float64)
    XT = XT.astype(dtype)
    batches = MiniBatches(XT, YT, WT, 64)
    batches.shuffle(order)
    for t, (Xb, _, _) in enumerate(epoch(batches, ahead=True)):
        assert same_bits(Xb, XT[order[t * 64:(t + 1) * 64]].T) and Xb.dtype == XT.dtype


def test_the_numpy_lines_copy_the_same_mini_batches(numpy_lines):
    XT, YT, WT, order = data(500)
    batches = MiniBatches(XT, YT, WT, 64)
    batches.shuffle(order)
    compiled = epoch(batches, ahead=True)
    plain = numpy_lines(lambda: epoch(batches, ahead=True))
    assert all(same_bits(a[0], b[0]) for a, b in zip(compiled, plain, strict=True))


def test_mini_batches_skipped_for_zero_weights_leave_the_last_trained_one_whole():
    """The diagnostics (and the final check) score the last mini-batch stepped on, after the epoch. When the
    epoch's last two mini-batches weigh nothing they are skipped, and their copies reuse both buffers."""
    m, b, seed = 640, 64, 3
    rng = np.random.default_rng(1)
    X = rng.standard_normal((12, m))
    Y = rng.integers(0, 3, (1, m))
    order = make_rng(seed).permutation(m)  # the loop's first epoch: its shuffle generator from the seed
    weights = np.ones((1, m))
    weights[0, order[-2 * b:]] = 0.0  # mini-batches 9 and 10 of 10 weigh nothing
    net = gn.Network([12, 8, 3], output_activation="softmax", seed=0)
    history = net.fit(X, Y, epochs=1, batch_size=b, seed=seed, sample_weight=weights, diagnostics=True)
    last = order[-3 * b:-2 * b]  # mini-batch 8: the last one trained
    X_last = np.ascontiguousarray(X[:, last].T, dtype=net.dtype).T  # laid out as the loop's buffer: the same products
    assert history.diagnostics[-1] == epoch_record(net, X_last, Y[:, last])


@compiled_only
def test_gather_ahead_copies_on_another_thread_and_holds_the_arrays_until_the_wait():
    c = kernels.compiled
    rng = np.random.default_rng(2)
    X = rng.standard_normal((5000, 784)).astype(np.float32)
    out = np.empty((512, 784), np.float32)
    idx = rng.permutation(5000)[:512]
    counts = sys.getrefcount(X), sys.getrefcount(out), sys.getrefcount(idx)
    with threadpool_limits(limits=2, user_api="openmp"):
        started = c.gather_ahead(X, idx, out)
        if sys.platform == "linux":  # another processor to run on: a thread copies, and holds the arrays
            assert started == (len(os.sched_getaffinity(0)) > 1)
        if started:
            assert sys.getrefcount(X) == counts[0] + 1 and sys.getrefcount(out) == counts[1] + 1
        c.gather_wait()
    assert (sys.getrefcount(X), sys.getrefcount(out), sys.getrefcount(idx)) == counts
    assert same_bits(out, X[idx])
    c.gather_wait()  # nothing under way: returns at once


@compiled_only
def test_gather_ahead_with_one_thread_allowed_copies_before_it_returns():
    c = kernels.compiled
    X = np.arange(60.0).reshape(20, 3)
    out, idx = np.empty((4, 3)), np.array([19, 0, 7, 7])
    with threadpool_limits(limits=1, user_api="openmp"):
        assert c.gather_ahead(X, idx, out) is False
    assert same_bits(out, X[idx])
    c.gather_wait()


@compiled_only
def test_a_second_python_thread_copies_on_its_own_while_the_first_ones_copy_is_held():
    c = kernels.compiled
    rng = np.random.default_rng(3)
    X = rng.standard_normal((2000, 300))
    out, idx = np.empty((400, 300)), rng.permutation(2000)[:400]
    other, other_out = {}, np.empty((5, 300))
    with threadpool_limits(limits=2, user_api="openmp"):
        c.gather_ahead(X, idx, out)
        worker = threading.Thread(target=lambda: other.update(
            started=c.gather_ahead(X, idx[:5], other_out), waited=c.gather_wait()))
        worker.start()
        worker.join()
        c.gather_wait()
    assert other["started"] is False  # held by the first thread: copied there and then
    assert same_bits(other_out, X[idx[:5]]) and same_bits(out, X[idx])


@compiled_only
@pytest.mark.parametrize("name", ["gather", "gather_ahead"])
def test_the_gathers_refuse_bad_arguments_alike(name):
    copy = getattr(kernels.compiled, name)
    with pytest.raises(ValueError, match=r"idx\[0\] = 6 is outside 0..5"):
        copy(np.zeros((6, 3)), np.array([6]), np.empty((1, 3)))
    with pytest.raises(TypeError, match="np.intp"):
        copy(np.zeros((6, 3)), np.array([1], np.int32), np.empty((1, 3)))
    with pytest.raises(ValueError, match="one row per index"):
        copy(np.zeros((6, 3)), np.array([1, 2]), np.empty((1, 3)))
    with pytest.raises(ValueError, match="same rows' length"):
        copy(np.zeros((6, 3)), np.array([1]), np.empty((1, 4)))
    with pytest.raises(TypeError, match="writable"):
        copy(np.zeros((6, 3)), np.array([1]), np.frombuffer(bytes(24)).reshape(1, 3))


@compiled_only
def test_a_forked_child_starts_a_copying_thread_of_its_own():
    """After fork() the parent's thread does not exist in the child: the child's first gather_ahead starts one."""
    c = kernels.compiled
    rng = np.random.default_rng(4)
    X = rng.standard_normal((3000, 100))
    idx = rng.permutation(3000)[:256]
    with threadpool_limits(limits=2, user_api="openmp"):
        out = np.empty((256, 100))
        c.gather_ahead(X, idx, out)  # the parent's thread started, its copy held
        pid = os.fork()
        if pid == 0:  # the child: copies ahead, then its verdict as the exit status
            ok = True
            for _ in range(20):
                mine = np.empty((256, 100))
                c.gather_ahead(X, idx, mine)
                c.gather_wait()
                ok = ok and same_bits(mine, X[idx])
            os._exit(0 if ok else 1)
        c.gather_wait()
    assert os.waitpid(pid, 0)[1] == 0 and same_bits(out, X[idx])
