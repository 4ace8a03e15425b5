"""Seeded, batch-vectorized image augmentation (the notes' "data augmentation" against overfitting).

Every transform works on a whole batch of images (B, H, W, C) of floats at once, with no Python
loop over images, and is called as ``t(images, rng) -> images``: all randomness comes from the
``numpy.random.Generator`` it is given, so the same seed gives the same batch. The input is never
modified; the result is a new array of the same shape and dtype. Labels are never touched:
augmentation changes X only.

- ``HorizontalFlip(p)``, ``VerticalFlip(p)``: mirror a random subset of the batch (flips suit
  natural images such as the cats; they change the meaning of digits and letters).
- ``RandomCrop(padding)``: pad by ``padding`` pixels, crop back to (H, W) at a random offset per
  image (a random shift of up to ``padding`` pixels), one gather over a sliding-window view.
- ``RandomRotation(max_degrees)``, ``RandomZoom(max_zoom)``, ``ElasticDistortion(alpha, sigma)``:
  one coordinate map per image, out[b, i, j] = in[b, rows[b, i, j], cols[b, i, j]], sampled by
  vectorized bilinear interpolation over the whole batch. Points that fall outside the image get
  ``fill_value`` (``fill_mode="constant"``, the default: MNIST's background is 0) or the nearest
  edge pixel (``fill_mode="nearest"``). Strength 0 returns the input bit for bit.

``Compose([...])`` chains transforms; ``Augmenter(transforms, seed)`` owns its Generator;
``augment_columns(X, image_shape, pipeline, rng)`` augments a mini-batch in the library's column
layout (n_x, B); ``from_names("flip,crop,rotate", image_shape)`` builds a pipeline from the CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..backend import make_rng
from ..errors import HyperparameterError, ShapeError, unknown_name
from ..validation import as_matrix, check_int, check_number

FILL_MODES = ("constant", "nearest")


def _check_images(images) -> np.ndarray:
    """A float array (B, H, W, C), else a ShapeError that says how to get one."""
    images = np.asarray(images)
    if images.ndim != 4:
        hint = {
            3: "; for single-channel images (B, H, W) add the channel axis: images[..., None]",
            2: "; for the column layout (n_x, B) use augment_columns(X, image_shape, pipeline, rng)",
        }.get(images.ndim, "")
        raise ShapeError(f"images must be a batch (B, H, W, C), got shape {images.shape}{hint}")
    if images.dtype.kind != "f":
        raise ShapeError(
            f"images must be float (float32 or float64), got {images.dtype}; convert first, for example "
            "images.astype(np.float32) / 255"
        )
    return images


def _check_fill(fill_mode: str, fill_value) -> tuple[str, float]:
    if fill_mode not in FILL_MODES:
        raise unknown_name("fill_mode", fill_mode, list(FILL_MODES))
    return fill_mode, check_number(fill_value, "fill_value")


class Transform:
    """Base class: ``t(images, rng)`` checks the batch (B, H, W, C) once and calls ``apply``."""

    def __call__(self, images, rng: np.random.Generator) -> np.ndarray:
        return self.apply(_check_images(images), rng)

    def apply(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The transform on a checked batch; a new array of the same shape and dtype."""
        raise NotImplementedError

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"


# ---------------------------------------------------------------------------------------------
# Flips and crops: exact pixel moves
# ---------------------------------------------------------------------------------------------


class HorizontalFlip(Transform):
    """Mirror left-right each image with probability p: out[b, i, j] = in[b, i, W-1-j]."""

    axis = 2

    def __init__(self, p: float = 0.5):
        self.p = check_number(p, "p", low=0.0, high=1.0, hint="the probability that an image is flipped")

    def apply(self, images, rng):
        flip = rng.random(images.shape[0]) < self.p
        mirrored = np.flip(images, axis=self.axis)
        return np.where(flip[:, None, None, None], mirrored, images)


class VerticalFlip(HorizontalFlip):
    """Mirror top-bottom each image with probability p: out[b, i, j] = in[b, H-1-i, j]."""

    axis = 1


class RandomCrop(Transform):
    """Pad by ``padding`` pixels on each side, then crop back to (H, W) at a random offset per image.

    out[b, i, j] = padded[b, i + dy_b, j + dx_b] with dy_b, dx_b uniform in 0..2*padding: a shift
    of up to ``padding`` pixels in each direction. Padding is ``fill_value`` (constant) or the
    edge pixels (nearest). One gather of sliding windows over the whole batch.
    """

    def __init__(self, padding: int = 2, fill_mode: str = "constant", fill_value: float = 0.0):
        self.padding = check_int(padding, "padding", low=0, hint="the largest shift in pixels")
        self.fill_mode, self.fill_value = _check_fill(fill_mode, fill_value)

    def apply(self, images, rng):
        p = self.padding
        B, H, W, _ = images.shape
        offsets = rng.integers(0, 2 * p + 1, size=(2, B))
        if p == 0:
            return images.copy()
        pad = ((0, 0), (p, p), (p, p), (0, 0))
        if self.fill_mode == "constant":
            padded = np.pad(images, pad, mode="constant", constant_values=self.fill_value)
        else:
            padded = np.pad(images, pad, mode="edge")
        # every (H, W) window of every padded image, as a view (B, 2p+1, 2p+1, C, H, W); one gather
        # copies each image's chosen window (faster than indexing pixel by pixel)
        windows = np.lib.stride_tricks.sliding_window_view(padded, (H, W), axis=(1, 2))
        return np.ascontiguousarray(np.moveaxis(windows[np.arange(B), offsets[0], offsets[1]], 1, -1))


# ---------------------------------------------------------------------------------------------
# Coordinate maps: rotation, zoom, elastic distortion
# ---------------------------------------------------------------------------------------------


def sample_bilinear(images: np.ndarray, rows: np.ndarray, cols: np.ndarray, fill_mode: str = "constant",
                    fill_value: float = 0.0) -> np.ndarray:
    """out[b, i, j, :] = bilinear interpolation of images[b] at (rows[b, i, j], cols[b, i, j]).

    top = I[r0, c0] + fc (I[r0, c0+1] - I[r0, c0]),  bottom = the same on row r0 + 1,
    out = top + fr (bottom - top),  r0 = floor(row), fr = row - r0 (the same for columns).
    images (B, H, W, C); rows, cols (B, H', W'). Outside the image: ``fill_value`` (constant) or
    the nearest edge pixel. Computed in the images' dtype; whole-pixel positions are exact.
    """
    B, H, W, C = images.shape
    dtype = images.dtype
    # One pixel of fill around the image (two on the far side, for the r0 + 1 neighbour); clipping
    # the coordinates into that frame sends every far-away point to the fill without a mask.
    pad = ((0, 0), (1, 2), (1, 2), (0, 0))
    if fill_mode == "constant":
        padded = np.pad(images, pad, mode="constant", constant_values=fill_value)
    else:
        padded = np.pad(images, pad, mode="edge")
    Hp, Wp = H + 3, W + 3
    fr = np.clip(rows, -1, H).astype(dtype, copy=False)
    fr += 1
    fc = np.clip(cols, -1, W).astype(dtype, copy=False)
    fc += 1
    r0, c0 = np.floor(fr), np.floor(fc)
    fr -= r0
    fc -= c0
    idx = r0.astype(np.intp)
    idx *= Wp
    idx += c0.astype(np.intp)
    idx += (np.arange(B) * (Hp * Wp)).reshape(B, 1, 1)  # flat index of each top-left neighbour
    if C == 1:
        flat = padded.reshape(-1)
    else:  # gather whole pixels (C values each); the fractions broadcast over channels
        flat = padded.reshape(-1, C)
        fr, fc = fr[..., None], fc[..., None]
    v00, v01, v10, v11 = (flat.take(idx + offset, axis=0) for offset in (0, 1, Wp, Wp + 1))
    v01 -= v00
    v01 *= fc
    v00 += v01  # top
    v11 -= v10
    v11 *= fc
    v10 += v11  # bottom
    v10 -= v00
    v10 *= fr
    v00 += v10
    return v00.reshape(rows.shape + (C,))


def affine_warp(images: np.ndarray, A: np.ndarray, fill_mode: str = "constant", fill_value: float = 0.0):
    """out[b] at pixel p = in[b] at c + A[b] (p - c), c = the image centre ((H-1)/2, (W-1)/2); A (B, 2, 2).

    p and c are (row, col); one bilinear sample over the whole batch.
    """
    B, H, W, _ = images.shape
    dtype = images.dtype
    y = (np.arange(H, dtype=dtype) - (H - 1) / 2).reshape(1, H, 1)
    x = (np.arange(W, dtype=dtype) - (W - 1) / 2).reshape(1, 1, W)
    A = A.astype(dtype).reshape(B, 2, 2, 1, 1)
    rows = A[:, 0, 0] * y + A[:, 0, 1] * x + (H - 1) / 2
    cols = A[:, 1, 0] * y + A[:, 1, 1] * x + (W - 1) / 2
    return sample_bilinear(images, rows, cols, fill_mode, fill_value)


class RandomRotation(Transform):
    """Rotate each image about its centre by an angle drawn uniformly in [-max_degrees, max_degrees].

    out at p = in at c + R(theta) (p - c), R = [[cos, -sin], [sin, cos]] on (row, col); bilinear.
    max_degrees = 0 returns the input unchanged.
    """

    def __init__(self, max_degrees: float = 10.0, fill_mode: str = "constant", fill_value: float = 0.0):
        self.max_degrees = check_number(max_degrees, "max_degrees", low=0.0, high=180.0)
        self.fill_mode, self.fill_value = _check_fill(fill_mode, fill_value)

    def apply(self, images, rng):
        if self.max_degrees == 0:
            return images.copy()
        theta = np.deg2rad(rng.uniform(-self.max_degrees, self.max_degrees, size=images.shape[0]))
        cos, sin = np.cos(theta), np.sin(theta)
        A = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], 1)
        return affine_warp(images, A, self.fill_mode, self.fill_value)


class RandomZoom(Transform):
    """Zoom each image about its centre by a factor s drawn uniformly in [1 - max_zoom, 1 + max_zoom].

    out at p = in at c + (p - c) / s (s > 1 zooms in); bilinear. max_zoom = 0 returns the input unchanged.
    """

    def __init__(self, max_zoom: float = 0.1, fill_mode: str = "constant", fill_value: float = 0.0):
        self.max_zoom = check_number(max_zoom, "max_zoom", low=0.0, high=1.0, high_open=True,
                                     hint="0.1 zooms between 0.9x and 1.1x")
        self.fill_mode, self.fill_value = _check_fill(fill_mode, fill_value)

    def apply(self, images, rng):
        if self.max_zoom == 0:
            return images.copy()
        s = rng.uniform(1 - self.max_zoom, 1 + self.max_zoom, size=images.shape[0])
        A = np.zeros((images.shape[0], 2, 2))
        A[:, 0, 0] = A[:, 1, 1] = 1.0 / s
        return affine_warp(images, A, self.fill_mode, self.fill_value)


class ElasticDistortion(Transform):
    """Elastic distortion (Simard, Steinkraus and Platt 2003), the classic augmentation for characters.

    Displacements d = alpha * G_sigma * U(-1, 1) per pixel and per axis (G_sigma: a Gaussian filter
    of width sigma pixels), out[b, i, j] = in[b, i + dy, j + dx], bilinear. The defaults
    alpha = 34, sigma = 4 are Simard's for 28x28 MNIST. alpha = 0 returns the input unchanged.
    All fields of the batch are smoothed in one ``scipy.ndimage.gaussian_filter`` call.
    """

    def __init__(self, alpha: float = 34.0, sigma: float = 4.0, fill_mode: str = "constant",
                 fill_value: float = 0.0):
        self.alpha = check_number(alpha, "alpha", low=0.0, hint="the strength; 0 leaves images unchanged")
        self.sigma = check_number(sigma, "sigma", low=0.0, low_open=True, hint="the smoothness in pixels")
        self.fill_mode, self.fill_value = _check_fill(fill_mode, fill_value)

    def apply(self, images, rng):
        if self.alpha == 0:
            return images.copy()
        from scipy.ndimage import gaussian_filter

        B, H, W, _ = images.shape
        dtype = images.dtype
        noise = rng.uniform(-1.0, 1.0, size=(2, B, H, W)).astype(dtype)
        d = gaussian_filter(noise, sigma=(0, 0, self.sigma, self.sigma), mode="constant", cval=0.0)
        d *= dtype.type(self.alpha)
        rows = np.arange(H, dtype=dtype).reshape(1, H, 1) + d[0]
        cols = np.arange(W, dtype=dtype).reshape(1, 1, W) + d[1]
        return sample_bilinear(images, rows, cols, self.fill_mode, self.fill_value)


# ---------------------------------------------------------------------------------------------
# Pipelines
# ---------------------------------------------------------------------------------------------


class Compose(Transform):
    """Apply transforms in order: Compose([t1, t2])(images, rng) = t2(t1(images, rng), rng)."""

    def __init__(self, transforms: Sequence[Callable]):
        transforms = list(transforms)
        for i, t in enumerate(transforms):
            if not callable(t):
                raise HyperparameterError(
                    f"transforms[{i}] must be a callable t(images, rng) -> images, got {t!r}"
                )
        self.transforms = transforms

    def apply(self, images, rng):
        out = images
        for t in self.transforms:
            out = t.apply(out, rng) if isinstance(t, Transform) else _check_images(t(out, rng))
        return out if out is not images else images.copy()

    def __len__(self) -> int:
        return len(self.transforms)


def _as_pipeline(transforms) -> Callable:
    if isinstance(transforms, str):
        return from_names(transforms)
    if isinstance(transforms, Sequence):
        return Compose(transforms)
    if not callable(transforms):
        raise HyperparameterError(
            f"expected a transform t(images, rng), a list of them, or names such as 'flip,crop', got {transforms!r}"
        )
    return transforms


class Augmenter:
    """A pipeline with its own Generator: ``aug(images)`` draws from ``make_rng(seed)``.

    ``aug(images, rng)`` uses ``rng`` instead (for a caller that owns the randomness).
    """

    def __init__(self, transforms, seed=None):
        self.pipeline = _as_pipeline(transforms)
        self.rng = make_rng(seed)

    def __call__(self, images, rng: np.random.Generator | None = None) -> np.ndarray:
        return self.pipeline(images, self.rng if rng is None else rng)

    def __repr__(self) -> str:
        return f"Augmenter({self.pipeline!r})"


def _check_image_shape(image_shape) -> tuple[int, int, int]:
    try:
        shape = tuple(image_shape)
    except TypeError:
        shape = ()
    if len(shape) == 2:
        shape = (*shape, 1)
    if len(shape) != 3 or not all(isinstance(v, int | np.integer) and v > 0 for v in shape):
        raise HyperparameterError(
            f"image_shape must be (H, W, C) (or (H, W) for one channel) of positive ints, got {image_shape!r}; "
            "MNIST is (28, 28, 1), the cats (64, 64, 3)"
        )
    return tuple(int(v) for v in shape)


def augment_columns(X_batch, image_shape, pipeline, rng=None) -> np.ndarray:
    """Augment a mini-batch in the column layout: X (n_x, B), column b = image b flattened (H, W, C) in C order.

    Reshapes to images (B, H, W, C) (a view for example-major X), applies ``pipeline`` with ``rng``
    (an Augmenter without rng uses its own Generator), and returns (n_x, B), example-major, in
    X's dtype. Only X changes: the labels of the batch stay as they are.
    """
    X = as_matrix(X_batch, "X_batch")
    H, W, C = _check_image_shape(image_shape)
    n_x, B = X.shape
    if n_x != H * W * C:
        raise ShapeError(
            f"X_batch has {n_x} rows but image_shape {(H, W, C)} has H*W*C = {H * W * C} values; "
            "pass the image_shape the columns were flattened from"
        )
    if isinstance(pipeline, str):
        pipeline = from_names(pipeline, image_shape=(H, W, C))
    elif isinstance(pipeline, Sequence):
        pipeline = Compose(pipeline)
    images = X.T.reshape(B, H, W, C)
    own_rng = isinstance(pipeline, Augmenter) and rng is None
    out = pipeline(images) if own_rng else pipeline(images, make_rng(rng))
    return out.reshape(B, n_x).T.astype(X.dtype, copy=False)


# ---------------------------------------------------------------------------------------------
# Names for the command line
# ---------------------------------------------------------------------------------------------


def _elastic(value, H, W):
    k = min(H, W) / 28  # Simard's 34 / 4 at 28x28; displacement grows with the image (alpha ~ k^2)
    alpha = 34.0 * k * k if value is None else value
    return ElasticDistortion(alpha=alpha, sigma=max(4.0 * k, 0.5))


AUGMENTATIONS: dict[str, tuple[str, Callable]] = {
    "flip": ("horizontal flip, p (default 0.5)", lambda v, H, W: HorizontalFlip(0.5 if v is None else v)),
    "hflip": ("same as flip", lambda v, H, W: HorizontalFlip(0.5 if v is None else v)),
    "vflip": ("vertical flip, p (default 0.5)", lambda v, H, W: VerticalFlip(0.5 if v is None else v)),
    "crop": ("random crop after padding, padding in pixels (default ~7 % of the side, 2 at 28x28)",
             lambda v, H, W: RandomCrop(max(1, round(0.07 * min(H, W))) if v is None else int(v))),
    "rotate": ("random rotation, max degrees (default 10)",
               lambda v, H, W: RandomRotation(10.0 if v is None else v)),
    "zoom": ("random zoom, max zoom (default 0.1)", lambda v, H, W: RandomZoom(0.1 if v is None else v)),
    "elastic": ("elastic distortion, alpha (default 34 at 28x28, sigma 4, scaled with the image)", _elastic),
}


def from_names(names: str | Sequence[str], image_shape=None) -> Compose:
    """A pipeline from names: "flip,crop,rotate,zoom,elastic", each optionally with a value ("rotate:15").

    Known names: see ``AUGMENTATIONS``. ``image_shape`` (H, W, C) scales the defaults of crop and
    elastic (28x28 when None). "" or "none" gives an empty pipeline (identity). Returns a
    ``Compose`` in the given order; wrap it in ``Augmenter(pipeline, seed)`` to give it a Generator.
    """
    H, W, _ = (28, 28, 1) if image_shape is None else _check_image_shape(image_shape)
    items = names.split(",") if isinstance(names, str) else list(names)
    transforms = []
    for item in items:
        item = str(item).strip().lower()
        if item in ("", "none"):
            continue
        name, _, raw = item.partition(":")
        name = name.strip()
        if name not in AUGMENTATIONS:
            raise unknown_name("augmentation", name, list(AUGMENTATIONS))
        value = None
        if raw.strip():
            try:
                value = float(raw)
            except ValueError:
                raise HyperparameterError(
                    f"augmentation {item!r}: the value after ':' must be a number, got {raw!r} "
                    "(for example rotate:15)"
                ) from None
            if name == "crop":
                if value != int(value):
                    raise HyperparameterError(f"crop padding must be a whole number of pixels, got {raw!r}")
                value = int(value)
        transforms.append(AUGMENTATIONS[name][1](value, H, W))
    return Compose(transforms)
