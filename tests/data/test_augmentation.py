"""Augmentation invariants: identities are exact, seeds reproduce, shapes and dtypes and labels are kept."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassnet.data.augmentation import (
    AUGMENTATIONS,
    Augmenter,
    Compose,
    ElasticDistortion,
    HorizontalFlip,
    RandomCrop,
    RandomRotation,
    RandomZoom,
    VerticalFlip,
    affine_warp,
    augment_columns,
    from_names,
    sample_bilinear,
)
from glassnet.errors import HyperparameterError, RankOneArrayError, ShapeError, UnknownNameError


def batch(B=6, H=12, W=10, C=3, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).random((B, H, W, C)).astype(dtype)


def rng(seed=0):
    return np.random.default_rng(seed)


ALL = [HorizontalFlip(), VerticalFlip(), RandomCrop(2), RandomRotation(15), RandomZoom(0.2),
       ElasticDistortion(8.0, 2.0), RandomCrop(1, fill_mode="nearest"), RandomRotation(20, fill_mode="nearest")]


@pytest.mark.parametrize("t", ALL, ids=repr)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shape_dtype_kept_and_input_untouched(t, dtype):
    x = batch(dtype=dtype)
    before = x.copy()
    out = t(x, rng())
    assert out.shape == x.shape and out.dtype == x.dtype and out is not x
    np.testing.assert_array_equal(x, before)
    assert np.isfinite(out).all()


@pytest.mark.parametrize("t", ALL, ids=repr)
def test_same_seed_same_batch_different_seed_different_batch(t):
    x = batch(B=16)
    np.testing.assert_array_equal(t(x, rng(1)), t(x, rng(1)))
    assert not np.array_equal(t(x, rng(1)), t(x, rng(2)))


def test_flip_twice_is_identity():
    x = batch()
    for flip in (HorizontalFlip(p=1.0), VerticalFlip(p=1.0)):
        once = flip(x, rng())
        assert not np.array_equal(once, x)
        np.testing.assert_array_equal(flip(once, rng()), x)
    np.testing.assert_array_equal(HorizontalFlip(p=1.0)(x, rng()), x[:, :, ::-1])
    np.testing.assert_array_equal(VerticalFlip(p=1.0)(x, rng()), x[:, ::-1])
    np.testing.assert_array_equal(HorizontalFlip(p=0.0)(x, rng()), x)
    # p = 0.5 flips some images and leaves the others exactly as they were
    out = HorizontalFlip(p=0.5)(batch(B=64), rng())
    flipped = [np.array_equal(o, i[:, ::-1]) for o, i in zip(out, batch(B=64), strict=True)]
    kept = [np.array_equal(o, i) for o, i in zip(out, batch(B=64), strict=True)]
    assert all(f or k for f, k in zip(flipped, kept, strict=True)) and 10 < sum(flipped) < 54


def test_crop_is_a_shift_with_fill():
    x = batch(B=20, H=7, W=9, C=2) + 1.0  # no pixel is 0, so the fill is visible
    out = RandomCrop(padding=2)(x, rng(3))
    assert out.shape == x.shape
    padded = np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0)))
    for b in range(x.shape[0]):  # each image equals one crop of its padded copy
        matches = [(dy, dx) for dy in range(5) for dx in range(5)
                   if np.array_equal(out[b], padded[b, dy:dy + 7, dx:dx + 9])]
        assert matches, b
    np.testing.assert_array_equal(RandomCrop(padding=0)(x, rng()), x)
    edge = RandomCrop(padding=3, fill_mode="nearest")(x, rng(4))
    assert (edge >= 1.0).all()  # edge padding never brings in zeros


def test_strength_zero_is_bit_for_bit_identity():
    x = batch(dtype=np.float32)
    for t in (RandomRotation(0), RandomZoom(0), ElasticDistortion(alpha=0.0), Compose([])):
        out = t(x, rng())
        assert out.dtype == x.dtype and np.array_equal(out, x) and out is not x
    # the interpolation itself is exact at whole-pixel positions
    identity = np.tile(np.eye(2), (x.shape[0], 1, 1))
    np.testing.assert_array_equal(affine_warp(x, identity), x)


def test_rotation_by_90_degrees_matches_rot90():
    x = batch(H=9, W=9)
    quarter = np.tile(np.array([[0.0, -1.0], [1.0, 0.0]]), (x.shape[0], 1, 1))
    np.testing.assert_allclose(affine_warp(x, quarter), np.rot90(x, k=-1, axes=(1, 2)), atol=1e-6)


def test_bilinear_matches_scipy_map_coordinates():
    from scipy.ndimage import map_coordinates

    x = batch(B=3, H=8, W=11, C=2, dtype=np.float64)
    g = rng(5)
    rows = g.uniform(-2.5, 10.5, size=(3, 8, 11))
    cols = g.uniform(-2.5, 13.5, size=(3, 8, 11))
    ours = sample_bilinear(x, rows, cols, fill_mode="constant", fill_value=0.0)
    for b in range(3):
        for c in range(2):
            ref = map_coordinates(x[b, :, :, c], [rows[b], cols[b]], order=1, mode="grid-constant", cval=0.0)
            np.testing.assert_allclose(ours[b, :, :, c], ref, atol=1e-12)
    # nearest: outside points take the edge value
    inside = np.clip(rows, 0, 7), np.clip(cols, 0, 10)
    ref = sample_bilinear(x, *inside)
    np.testing.assert_allclose(sample_bilinear(x, rows, cols, fill_mode="nearest"), ref, atol=1e-12)


def test_zoom_and_elastic_move_pixels_but_keep_the_range():
    x = batch(B=8, H=28, W=28, C=1)
    for t in (RandomZoom(0.3), ElasticDistortion(34.0, 4.0), RandomRotation(30)):
        out = t(x, rng())
        assert not np.array_equal(out, x)
        assert out.min() >= 0.0 and out.max() <= 1.0  # bilinear of [0, 1] pixels and 0 fill stays in [0, 1]


def test_compose_applies_in_order():
    x = batch()
    both = Compose([HorizontalFlip(1.0), VerticalFlip(1.0)])(x, rng())
    np.testing.assert_array_equal(both, x[:, ::-1, ::-1])

    def add_one(images, g):
        return images + 1

    np.testing.assert_array_equal(Compose([add_one, HorizontalFlip(1.0)])(x, rng()), (x + 1)[:, :, ::-1])
    assert len(Compose([add_one])) == 1


def test_augmenter_owns_its_generator():
    x = batch(B=16)
    a, b = Augmenter([RandomCrop(2), RandomRotation(10)], seed=3), Augmenter("crop,rotate", seed=3)
    first = a(x)
    np.testing.assert_array_equal(first, b(x))
    assert not np.array_equal(first, a(x))  # the generator moves on between batches
    np.testing.assert_array_equal(Augmenter("crop", seed=9)(x, rng(1)), RandomCrop(2)(x, rng(1)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_augment_columns_keeps_layout_dtype_and_labels(dtype):
    H, W, C, B = 6, 5, 3, 10
    images = batch(B=B, H=H, W=W, C=C, dtype=dtype)
    X = images.reshape(B, -1).T  # the library's column layout, example-major
    Y = np.arange(B).reshape(1, -1)
    Y_before, X_before = Y.copy(), X.copy()
    out = augment_columns(X, (H, W, C), HorizontalFlip(1.0), rng())
    assert out.shape == X.shape and out.dtype == X.dtype
    assert out.T.flags.c_contiguous
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(Y, Y_before)
    # column b is still image b (flipped), so label b still belongs to it
    np.testing.assert_array_equal(out, images[:, :, ::-1].reshape(B, -1).T)
    # names, lists and Augmenters work as pipelines; (H, W) means one channel
    same = augment_columns(X, (H, W, C), "flip:1", rng())
    np.testing.assert_array_equal(same, out)
    np.testing.assert_array_equal(augment_columns(X, (H, W, C), [HorizontalFlip(1.0)], 0), out)
    gray = images[..., :1]
    out_gray = augment_columns(gray.reshape(B, -1).T, (H, W), Augmenter("vflip:1", seed=0))
    np.testing.assert_array_equal(out_gray, gray[:, ::-1].reshape(B, -1).T)


def test_augment_columns_errors():
    X = np.zeros((30, 4), dtype=np.float32)
    with pytest.raises(ShapeError, match="H\\*W\\*C = 28"):
        augment_columns(X, (7, 4, 1), HorizontalFlip(), rng())
    with pytest.raises(HyperparameterError, match="image_shape"):
        augment_columns(X, (30,), HorizontalFlip(), rng())
    with pytest.raises(RankOneArrayError):
        augment_columns(X[:, 0], (5, 6, 1), HorizontalFlip(), rng())


def test_images_are_checked():
    t = HorizontalFlip()
    with pytest.raises(ShapeError, match=r"images\[\.\.\., None\]"):
        t(np.zeros((2, 5, 5)), rng())
    with pytest.raises(ShapeError, match="augment_columns"):
        t(np.zeros((25, 2)), rng())
    with pytest.raises(ShapeError, match="astype"):
        t(np.zeros((2, 5, 5, 1), dtype=np.uint8), rng())
    with pytest.raises(HyperparameterError, match="p must be"):
        HorizontalFlip(p=1.5)
    with pytest.raises(HyperparameterError, match="max_degrees"):
        RandomRotation(-3)
    with pytest.raises(UnknownNameError, match="nearest"):
        RandomZoom(fill_mode="wrap")


def test_from_names():
    pipe = from_names("flip, crop, rotate, zoom, elastic", image_shape=(28, 28, 1))
    kinds = [type(t) for t in pipe.transforms]
    assert kinds == [HorizontalFlip, RandomCrop, RandomRotation, RandomZoom, ElasticDistortion]
    assert pipe.transforms[1].padding == 2 and pipe.transforms[2].max_degrees == 10
    assert from_names("crop", image_shape=np.array([64, 64, 3])).transforms[0].padding == 4
    custom = from_names("rotate:15,crop:3,vflip:0.25")
    assert custom.transforms[0].max_degrees == 15 and custom.transforms[1].padding == 3
    assert custom.transforms[2].p == 0.25
    assert len(from_names("none")) == 0 and len(from_names("")) == 0
    with pytest.raises(UnknownNameError) as err:
        from_names("flip,blur")
    for name in AUGMENTATIONS:
        assert name in str(err.value)
    with pytest.raises(HyperparameterError, match="must be a number"):
        from_names("rotate:lots")
    with pytest.raises(HyperparameterError, match="whole number"):
        from_names("crop:1.5")


@settings(max_examples=30, deadline=None)
@given(B=st.integers(1, 5), H=st.integers(1, 9), W=st.integers(1, 9), C=st.integers(1, 3),
       padding=st.integers(0, 4), seed=st.integers(0, 2**32 - 1))
def test_shape_invariants_property(B, H, W, C, padding, seed):
    x = np.random.default_rng(seed).random((B, H, W, C)).astype(np.float32)
    pipe = Compose([HorizontalFlip(), RandomCrop(padding), RandomRotation(20), RandomZoom(0.2)])
    out = pipe(x, rng(seed))
    assert out.shape == x.shape and out.dtype == x.dtype and np.isfinite(out).all()
    cols = augment_columns(x.reshape(B, -1).T, (H, W, C), pipe, seed)
    assert cols.shape == (H * W * C, B)
