"""Data: the registry and ``load`` (``datasets``) over the generated 2-D sets (``synthetic``), the
readers of stored sets (``readers``) and their files' checksums, cache and downloads (``files``);
splits / one-hot / normalization (``preprocessing``), CSV tables (``tables``) and seeded batch image
augmentation (``augmentation``). All in the notes' layout: X (n_x, m), Y (1, m).
"""

from . import augmentation, datasets, files, preprocessing, readers, synthetic
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
    "augmentation", "datasets", "files", "preprocessing", "readers", "synthetic",
    "AUGMENTATIONS", "Augmenter", "Compose", "ElasticDistortion", "HorizontalFlip", "RandomCrop",
    "RandomRotation", "RandomZoom", "Transform", "VerticalFlip", "augment_columns", "from_names",
    "DATASETS", "RESOURCES", "Dataset", "data_home", "load", "load_breast_cancer", "load_cats",
    "load_course_2d", "load_digits", "load_fashion_mnist", "load_mnist", "make_blobs", "make_circles",
    "make_flower", "make_moons", "make_spirals", "make_xor", "read_idx",
    "Standardizer", "from_one_hot", "one_hot", "train_dev_test_split", "train_test_split",
]
