"""The ``glassnet`` command: train, evaluate, predict and describe networks on real data.

    glassnet train                       # the default: scikit-learn's digits, a 64-256-128-10 network
    glassnet train --data moons --layers 20,7 --activation tanh --epochs 300 --out runs/moons
    glassnet train --data mnist --data-path ../shared/datasets/mnist
    glassnet train --spec runs/moons/results.json --seed 1   # the same run again, another seed
    glassnet evaluate runs/digits/model.npz
    glassnet predict runs/digits/model.npz --input new.csv --output predictions.csv
    glassnet info runs/digits/model.npz
    glassnet export runs/digits/model.npz -o digits.onnx     # for onnxruntime; checked against glassnet
    glassnet gradcheck --layers 5,3 --activation tanh --l2 0.7      # exit 1: called wrong; 4: inconclusive
    glassnet lab                         # the notes' experiments; glassnet lab initialization --quick

A run's flags are a ``RunSpec`` (``spec_from_args``), checked before any data is read or folder
made; the run itself is ``glassnet.runs``'. User errors print one line (``glassnet: error: ...``)
and exit with status 2; a training that diverged (a NaN cost, or one that ended far above where it
started) saves what it has, says "diverged" with the fix and exits with status 3.

    parser.py   the flags: argparse in glassnet's voice, number and list types, the shared flag groups
    spec.py     flags -> RunSpec (spec_from_args, --spec FILE), the checks before any data or disk
    train.py    glassnet train: plan, fit (Ctrl-C and SIGTERM keep the last epoch), write
    report.py   what train writes: model.npz, history.json, results.json, plots; the results table
    outfolder.py  --out: probed writable before any data, locked, never silently replaced; files written whole
    resume.py   --resume: the checkpoint's data checksum and epochs checked
    signals.py  SIGTERM as an interrupt while train runs (exit 143)
    model.py    evaluate, predict, info, export
    sweep.py    glassnet sweep
    tools.py    data, gradcheck, lab, playground
    main.py     build_parser, main, exit statuses
"""

from .main import build_parser, main, parse_args
from .model import cmd_evaluate, cmd_export, cmd_info, cmd_predict
from .parser import DEFAULTS, Parser
from .report import results_table
from .spec import check_data_source, read_spec, spec_from_args
from .sweep import cmd_sweep
from .tools import EXIT_INCONCLUSIVE, cmd_data, cmd_gradcheck, cmd_lab, cmd_playground
from .train import EXIT_DIVERGED, cmd_train

__all__ = ["DEFAULTS", "EXIT_DIVERGED", "EXIT_INCONCLUSIVE", "Parser", "build_parser", "check_data_source",
           "cmd_data", "cmd_evaluate", "cmd_export", "cmd_gradcheck", "cmd_info", "cmd_lab", "cmd_playground",
           "cmd_predict", "cmd_sweep", "cmd_train", "main", "parse_args", "read_spec", "results_table",
           "spec_from_args"]
