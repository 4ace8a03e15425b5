"""glassnet: deep learning on NumPy that you can see through."""

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
from .errors import (
    DatasetError,
    DivergenceError,
    GlassnetError,
    HyperparameterError,
    LabelError,
    ModelFileError,
    NonFiniteError,
    NotFittedError,
    RankOneArrayError,
    ShapeError,
    UnknownNameError,
)
from .network import Network

__version__ = "0.1.0"

__all__ = [
    "Activation", "LeakyReLU", "Linear", "ReLU", "Sigmoid", "Softmax", "Tanh", "get_activation",
    "make_rng", "xp",
    "DatasetError", "DivergenceError", "GlassnetError", "HyperparameterError", "LabelError",
    "ModelFileError", "NonFiniteError", "NotFittedError", "RankOneArrayError", "ShapeError",
    "UnknownNameError",
    "Network",
    "__version__",
]
