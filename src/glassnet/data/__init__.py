"""Data: loaders and generators (``datasets``), splits / one-hot / normalization (``preprocessing``),
and seeded batch image augmentation (``augmentation``). All in the notes' layout: X (n_x, m), Y (1, m).
"""

from . import augmentation, datasets, preprocessing
from .augmentation import (
    AUGMENTATIONS,
    Augmenter,
    Compose,
    ElasticDistortion,
    HorizontalFlip,
    RandomCrop,
    RandomRotation,
    RandomZoom,
    Transform,
    VerticalFlip,
    augment_columns,
    from_names,
)
from .datasets import (
    DATASETS,
    RESOURCES,
    Dataset,
    data_home,
    load,
    load_breast_cancer,
    load_cats,
    load_course_2d,
    load_digits,
    load_fashion_mnist,
    load_mnist,
    make_blobs,
    make_circles,
    make_flower,
    make_moons,
    make_spirals,
    make_xor,
    read_idx,
)
from .preprocessing import Standardizer, from_one_hot, one_hot, train_dev_test_split, train_test_split

__all__ = [
    "augmentation", "datasets", "preprocessing",
    "AUGMENTATIONS", "Augmenter", "Compose", "ElasticDistortion", "HorizontalFlip", "RandomCrop",
    "RandomRotation", "RandomZoom", "Transform", "VerticalFlip", "augment_columns", "from_names",
    "DATASETS", "RESOURCES", "Dataset", "data_home", "load", "load_breast_cancer", "load_cats",
    "load_course_2d", "load_digits", "load_fashion_mnist", "load_mnist", "make_blobs", "make_circles",
    "make_flower", "make_moons", "make_spirals", "make_xor", "read_idx",
    "Standardizer", "from_one_hot", "one_hot", "train_dev_test_split", "train_test_split",
]
