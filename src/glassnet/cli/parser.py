"""The flags: argparse in glassnet's voice, the number and list types, and the flag groups commands share.

A flag's number is checked by ``glassnet.validation`` (the rule every front end uses) and a refusal
is argparse's own error form: ``glassnet: error: argument --epochs: epochs must be an integer >= 1,
got -3``. Each flag of a run is named as its RunSpec field (``--learning-rate`` -> learning_rate).
"""

from __future__ import annotations

import argparse

from .. import defaults as run_defaults
from ..errors import HyperparameterError
from ..validation import check_int, check_number

# The run's defaults are glassnet.defaults' (chosen by the defaults study, docs/defaults.md); the command
# line adds only what is its own: the data set, the seed and the splits.
DEFAULTS = {"data": "digits", "layers": ",".join(map(str, run_defaults.HIDDEN_LAYERS)), "epochs": None,
            "batch_size": run_defaults.BATCH_SIZE, "learning_rate": None, "optimizer": run_defaults.OPTIMIZER,
            "schedule": run_defaults.SCHEDULE, "seed": 0, "test_fraction": 0.2, "dev_fraction": 0.1}
BY_NAME_HELP = ("pick the model's feature columns by name when a file has them in another order; without it, "
                "a file's columns must be the model's features in the model's order")


class Parser(argparse.ArgumentParser):
    """argparse in glassnet's voice: a mistake in the command line is one line and exit status 2.

    argparse's own ``error`` prints the whole usage screen first; here the message names the flag and
    the value, and ``--help`` is where the usage lives. The subcommands' parsers are of this class too
    (``add_subparsers`` makes them with the parent's class).
    """

    def error(self, message: str):
        self.exit(2, f"glassnet: error: {message} (see `{self.prog} --help`)\n")


# ---------------------------------------------------------------------- argument types
def integer(name: str, low: int = 1):
    """An argparse type: an integer >= low, checked by ``validation.check_int`` (``name``: the setting's name)."""
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = text  # not an integer: check_int says so, with the text as typed
        try:
            return check_int(value, name, low=low)
        except HyperparameterError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return convert


def number(name: str, low: float, high: float | None = None, *, low_open: bool = False, high_open: bool = True):
    """An argparse type: a finite number in the interval, checked by ``validation.check_number``."""
    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = text
        try:
            return check_number(value, name, low=low, high=high, low_open=low_open, high_open=high_open)
        except HyperparameterError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return convert


def entries(text: str, example: str) -> list[str]:
    """The comma-separated entries of a flag's value; an empty one (20,,7 or 20,7,) is a mistake, not a skip."""
    parts = [v.strip() for v in text.split(",")]
    if "" in parts:
        raise argparse.ArgumentTypeError(f"an empty entry in {text!r}: expected comma-separated values like {example}")
    return parts


def int_list(text: str) -> list[int]:
    """--layers: comma-separated sizes, each an integer >= 1."""
    convert = integer("layer size")
    return [convert(v) for v in entries(text, "64,32")]


def keep_probs(text: str) -> list[float]:
    """--keep-prob: one probability, or one per layer input, each in (0, 1]."""
    convert = number("keep_prob", 0.0, 1.0, low_open=True, high_open=False)
    return [convert(v) for v in entries(text, "1,0.8,0.8")]


# ---------------------------------------------------------------------- flag groups
def add_data_flags(parser: argparse.ArgumentParser, for_model: bool = False) -> None:
    """The data flags; ``for_model``: of a command that scores a saved model (defaults: the model's own)."""
    group = parser.add_argument_group("data")
    model_default = "default: the data the model was trained on, found as recorded in the model file"
    group.add_argument("--data", default=None if for_model else DEFAULTS["data"],
                       help="a built-in data set (see `glassnet data`) or a .csv/.npz file "
                            f"({model_default if for_model else 'default: digits'})")
    group.add_argument("--data-path", default=None,
                       help="folder with the files of a file-based set (mnist/, fashion-mnist/, catvnoncat/, "
                            "regularization-2d/) "
                            "or their parent (default: " + ("the model's" if for_model else
                                                            "the cache folder, $GLASSNET_DATA") + ")")
    group.add_argument("--label", default=None,
                       help="label column of a CSV file (default: " + ("the model's" if for_model else
                                                                       "label/y/target/class or the last column") + ")")
    group.add_argument("--test-fraction", type=number("test_fraction", 0.0, 1.0, low_open=True),
                       default=None if for_model else DEFAULTS["test_fraction"],
                       help="held-out test fraction for sets without a test split (default "
                            + ("the model's" if for_model else f"{DEFAULTS['test_fraction']:g}") + ")")
    if for_model:
        group.add_argument("--columns-by-name", action="store_true", help=BY_NAME_HELP)
        return
    group.add_argument("--dev-fraction", type=number("dev_fraction", 0.0, 1.0), default=DEFAULTS["dev_fraction"],
                       help=f"dev fraction taken from the training split (default {DEFAULTS['dev_fraction']:g}; "
                            "0 for none)")
    group.add_argument("--task", choices=["auto", "classification", "regression"], default="auto",
                       help="auto (default): classification for text labels and for up to 100 integer values")
    group.add_argument("--limit", type=integer("limit"), default=None,
                       help="use only the first N training examples (default: all)")


def add_network_flags(parser: argparse.ArgumentParser) -> None:
    from ..initializers import STD_RULES

    group = parser.add_argument_group("network")
    group.add_argument("--layers", type=int_list, default=int_list(DEFAULTS["layers"]),
                       help=f"hidden layer sizes, comma-separated (default {DEFAULTS['layers']})")
    group.add_argument("--activation", default="relu",
                       help="hidden activation, or one per hidden layer comma-separated: relu, tanh, sigmoid, "
                            "leaky_relu, linear (default relu)")
    group.add_argument("--leaky-alpha", type=number("leaky_alpha", 0.0), default=0.01,
                       help="slope of leaky_relu for z < 0 (default 0.01)")
    group.add_argument("--initializer", choices=list(STD_RULES), default="he", help="(default he)")
    group.add_argument("--init-scale", type=number("init_scale", 0.0, low_open=True), default=1.0,
                       help="multiplies every initial std (default 1)")
    group.add_argument("--keep-prob", type=keep_probs, default=[1.0],
                       help="dropout keep probability for every hidden layer, or one per layer input "
                            "[input, hidden 1, ...] comma-separated (default 1: no dropout)")
    group.add_argument("--l2", type=number("l2", 0.0), default=0.0,
                       help="L2 regularization lambda: the notes' (l2/2m) sum ||W||^2, m the mini-batch size "
                            "in each step (default 0)")
    group.add_argument("--dtype", choices=["float32", "float64"], default="float32", help="(default float32)")
    group.add_argument("--seed", type=integer("seed", low=0), default=DEFAULTS["seed"],
                       help=f"seed for everything random (default {DEFAULTS['seed']})")


def add_training_flags(parser: argparse.ArgumentParser) -> None:
    from ..optimizers import OPTIMIZERS, SCHEDULES

    group = parser.add_argument_group("training")
    group.add_argument("--optimizer", choices=list(OPTIMIZERS), default=DEFAULTS["optimizer"],
                       help=f"sgd is gd (default {DEFAULTS['optimizer']})")
    group.add_argument("--learning-rate", type=number("learning_rate", 0.0, low_open=True),
                       default=DEFAULTS["learning_rate"],
                       help=f"(default: {run_defaults.LEARNING_RATES['adam']:g} for adam, else the optimizer's own: "
                            "rmsprop 0.001, gd/sgd/momentum 0.01)")
    group.add_argument("--schedule", choices=list(SCHEDULES), default=DEFAULTS["schedule"],
                       help="learning-rate schedule with its default settings: cosine from the rate to 0 over the "
                            "planned epochs, exponential 0.95^epoch, inverse_time 1/(1 + epoch), step x0.5 every 10 "
                            f"epochs, constant (default {DEFAULTS['schedule']})")
    group.add_argument("--epochs", type=integer("epochs"), default=DEFAULTS["epochs"],
                       help=f"(default: at least {run_defaults.EPOCHS} epochs and {run_defaults.MIN_STEPS} mini-batch "
                            "steps: more for small sets)")
    group.add_argument("--batch-size", type=integer("batch_size", low=0), default=DEFAULTS["batch_size"],
                       help=f"mini-batch size; 0 for full batch (default {DEFAULTS['batch_size']})")
    group.add_argument("--early-stopping", type=integer("early_stopping", low=0), default=0, metavar="PATIENCE",
                       help="stop when the dev cost has not improved for PATIENCE epochs and keep the best "
                            "epoch's weights (default 0: off)")
    group.add_argument("--normalize", dest="normalize", action="store_true", default=None,
                       help="standardize the inputs with train-set mean and variance (default: on for tabular "
                            "data, off for images, which are divided by 255, digits by 16)")
    group.add_argument("--no-normalize", dest="normalize", action="store_false", help="do not standardize")
    group.add_argument("--standardize-targets", action=argparse.BooleanOptionalAction, default=False,
                       help="regression: train on (y - mean) / std of the training targets, the model answering and "
                            "reporting in the targets' own units: for targets far from 0 or few epochs (off unless "
                            "given: the defaults study, docs/defaults.md)")
    group.add_argument("--augment", default=None,
                       help="augment image mini-batches: comma-separated crop, zoom, rotate, elastic, flip, vflip "
                            "(flips change what a digit means) (default: none)")
    group.add_argument("--diagnostics", action="store_true",
                       help="record per-layer gradient statistics per epoch (gradient_norms.png), and print the final "
                            "diagnosis: vanishing/exploding, dead and saturated units, change since initialization "
                            "(diagnosis.json)")
    group.add_argument("--checkpoint-every", type=integer("checkpoint_every"), default=None,
                       help="write a checkpoint every N epochs (default: none)")
    group.add_argument("--spec", default=None, metavar="FILE",
                       help="start from a stored run spec: a JSON file of one, a results.json or a model file that "
                            "holds one; the flags typed as well override its settings")


def add_run_flags(parser: argparse.ArgumentParser) -> None:
    """The flags of a run (train and sweep): data, network, training."""
    add_data_flags(parser)
    add_network_flags(parser)
    add_training_flags(parser)


def add_backend_flags(parser, work: str, default: str) -> None:
    """--jobs N, --dask local[:N], --scheduler ADDRESS (glassnet sweep and glassnet lab); ``work``: what runs."""
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help=f"run {work} in N local worker processes, one BLAS thread each (1: in this "
                             f"process; default {default})")
    parser.add_argument("--dask", nargs="?", const="local", default=None, metavar="local[:N]",
                        help='a Dask LocalCluster of N worker processes (default: one per core); needs '
                             'pip install "glassnet[sweeps]"')
    parser.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                        help="the scheduler of a running Dask cluster (dask scheduler / dask worker, Kubernetes, HPC)")


__all__ = ["BY_NAME_HELP", "DEFAULTS", "Parser", "add_backend_flags", "add_data_flags", "add_network_flags",
           "add_run_flags", "add_training_flags", "entries", "int_list", "integer", "keep_probs", "number"]
