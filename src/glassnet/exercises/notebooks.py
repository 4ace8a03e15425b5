"""The exercise notebooks, one per topic of the notes: an explanation, stubs to fill, a check cell each, and a last
cell that trains the learner's own functions on a real data set beside glassnet's engine.

``write(folder, lang="en", data_path=None)`` writes them with nbformat (``pip install nbformat``, in the test
extra). The data sets are found as ``glassnet train`` finds them: ``data_path`` (``--data-path``) when given, else
``$GLASSNET_DATA`` or the cache folder. A stub cell carries ``metadata["glassnet"] = {"stub": name}`` and the check
cell ``{"check": name}``, so a tool (or a test) can find them.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import HyperparameterError, PathError
from .notebook_text import INTRO, STUBS, TITLES, TRAIN

ORDER = ("broadcasting", "activations", "initialization", "forward", "backward", "regularization",
         "gradient_checking")
SETUP = '''import numpy as np
from glassnet import notes
from glassnet.exercises import check, helpers

LANG = {lang!r}  # the reports' language: "en" or "zh"
DATA_PATH = {data_path!r}  # None: $GLASSNET_DATA or ~/.cache/glassnet, as `glassnet train` finds the data sets'''
GIVEN = {  # what each notebook's functions call and the learner does not write there: the course's given helpers
    "forward": "linear_forward, relu, sigmoid", "backward": "relu_backward, sigmoid_backward",
    "regularization": "compute_cost", "gradient_checking": "dictionary_to_vector, forward_propagation_n, "
    "gradients_to_vector, vector_to_dictionary"}
CHECK = "check({name}, lang=LANG)"
HEAD = {"en": ("# {title}\n\nWrite each function below in place of its stub, run its check cell (it compares your "
               "function with `glassnet.notes` on the course's case and on generated ones, and names the mistake "
               "with the formula of the notes), and when every check passes, the last cell trains your functions "
               "on a real data set beside glassnet's engine."),
        "zh": ("# {title}\n\n在每个函数的模板处写出你的实现，运行它下面的检查单元（它在课程的用例和生成的用例上"
               "把你的函数与 "
               "`glassnet.notes` 对比，并指出错误和笔记中的公式）。全部通过后，最后一个单元用你的函数在真实数据上训练，"
               "并与 glassnet 的引擎并排比较。")}
LAST = {"en": "## Train your functions\n\nYour functions on real data, beside `glassnet.Network` on the same data.",
        "zh": "## 用你的函数训练\n\n你的函数在真实数据上训练，旁边是 `glassnet.Network` 在同样数据上的结果。"}


def cells(topic: str, lang: str = "en", data_path: str | None = None) -> list:
    """The cells of one topic's notebook (nbformat cell objects)."""
    from nbformat import v4

    from . import TOPICS

    out = [v4.new_markdown_cell(HEAD[lang].format(title=TITLES[topic][lang == "zh"]) + "\n\n"
                                + INTRO[topic][lang == "zh"]),
           v4.new_code_cell(SETUP.format(lang=lang, data_path=data_path) + (
               f"\nfrom glassnet.exercises.helpers import {GIVEN[topic]}  # given" if topic in GIVEN else ""))]
    for name in TOPICS[topic]:
        signature, formula, hint_en, hint_zh = STUBS[name]
        out.append(v4.new_markdown_cell(f"### `{name}`\n\n`{formula}`\n\n{hint_zh if lang == 'zh' else hint_en}"))
        todo = "在这里写你的代码" if lang == "zh" else "your code here"
        stub = f'def {signature}:\n    """{formula}"""\n    # {todo}\n    raise NotImplementedError("{name}")'
        out.append(v4.new_code_cell(stub, metadata={"glassnet": {"stub": name}}))
        out.append(v4.new_code_cell(CHECK.format(name=name), metadata={"glassnet": {"check": name}}))
    out.append(v4.new_markdown_cell(LAST[lang]))
    out.append(v4.new_code_cell(TRAIN[topic].strip(), metadata={"glassnet": {"train": topic}}))
    return out


def notebook(topic: str, lang: str = "en", data_path: str | None = None):
    """One topic's notebook (an nbformat NotebookNode with a Python 3 kernel)."""
    from nbformat import v4

    nb = v4.new_notebook(cells=cells(topic, lang, data_path))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def file_name(index: int, topic: str) -> str:
    return f"{index:02d}_{topic}.ipynb"


def write(folder, lang: str = "en", data_path=None, force: bool = False) -> list[Path]:
    """Write one notebook per topic into ``folder`` (made if missing); returns their paths.

    An existing notebook is kept (it may hold your work) unless force=True.
    """
    import nbformat

    if lang not in ("en", "zh"):
        raise HyperparameterError(f"lang must be 'en' or 'zh', got {lang!r}")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise PathError(f"{folder} is a file; give the folder to write the notebooks into")
    if data_path is not None and not Path(data_path).is_dir():
        raise PathError(f"--data-path {data_path}: no such folder; give the folder that holds catvnoncat/ and "
                        "regularization-2d/ (or leave it out to use $GLASSNET_DATA)")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i, topic in enumerate(ORDER, start=1):
        path = folder / file_name(i, topic)
        if path.exists() and not force:
            raise PathError(f"{path} exists and may hold your work; choose another folder or pass --force to "
                            "overwrite the notebooks")
        nbformat.write(notebook(topic, lang, None if data_path is None else str(Path(data_path).resolve())),
                       str(path))
        written.append(path)
    return written


__all__ = ["ORDER", "cells", "file_name", "notebook", "write"]
