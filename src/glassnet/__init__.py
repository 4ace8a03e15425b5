"""glassnet: deep learning on NumPy that you can see through."""

from . import data, defaults, diagnostics, gradcheck, optimizers, runs
from .activations import (
    Activation,
    LeakyReLU,
    Linear,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    get_activation,
)
from .backend import make_rng, xp
from .callbacks import Callback, EarlyStopping
from .data import augmentation, datasets, preprocessing
from .data.augmentation import Augmenter, augment_columns
from .data.datasets import DATASETS, Dataset
from .data.datasets import load as load_dataset
from .data.preprocessing import Standardizer, from_one_hot, one_hot, train_dev_test_split, train_test_split
from .diagnostics import check_cost_decreases, diagnose, epoch_record, layer_statistics
from .errors import (
    DatasetError,
    DivergenceError,
    ExportError,
    GlassnetError,
    HyperparameterError,
    LabelError,
    MissingDependencyError,
    ModelFileError,
    NonFiniteError,
    NonFiniteWarning,
    NotFittedError,
    RankOneArrayError,
    ShapeError,
    UnknownNameError,
)
from .gradcheck import GradCheckReport, check_gradients, gradient_check, numerical_derivative
from .history import History
from .io import load, load_metadata, save
from .network import Network
from .onnx import save_onnx, to_onnx  # onnx itself loads only when a model is exported
from .optimizers import Adam, GradientDescent, Momentum, RMSprop
from .runs import Run, RunSpec
from .sweeps import sweep  # dask and joblib load only when a sweep runs on them
from .training import DivergenceWarning, fit
from .version import __version__

evaluate = Network.evaluate  # gn.evaluate(net, X, Y) is net.evaluate(X, Y)

__all__ = [
    "Activation", "LeakyReLU", "Linear", "ReLU", "Sigmoid", "Softmax", "Tanh", "get_activation",
    "make_rng", "xp",
    "DatasetError", "DivergenceError", "ExportError", "GlassnetError", "HyperparameterError", "LabelError",
    "MissingDependencyError", "ModelFileError", "NonFiniteError", "NonFiniteWarning", "NotFittedError",
    "RankOneArrayError", "ShapeError", "UnknownNameError",
    "Network",
    "Run", "RunSpec", "runs",
    "data", "augmentation", "datasets", "preprocessing", "Augmenter", "augment_columns", "DATASETS", "Dataset",
    "load_dataset", "Standardizer", "from_one_hot", "one_hot", "train_dev_test_split", "train_test_split",
    "defaults", "diagnostics", "gradcheck", "GradCheckReport", "check_gradients", "gradient_check",
    "numerical_derivative",
    "check_cost_decreases", "diagnose", "epoch_record", "layer_statistics",
    "optimizers", "Adam", "GradientDescent", "Momentum", "RMSprop",
    "sweep",
    "load", "load_metadata", "save", "save_onnx", "to_onnx",
    "Callback", "DivergenceWarning", "EarlyStopping", "History", "evaluate", "fit",
    "__version__",
]
