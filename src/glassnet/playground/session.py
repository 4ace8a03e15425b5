"""One playground session (one browser tab): its data, its network, training in chunks, and what the page shows.

Everything here is plain synchronous glassnet code; the server runs it in a worker thread, one
call at a time per session. The page's setup is a ``gn.RunSpec`` (``runspec.to_spec``): the network
is ``gn.runs.build``'s and each epoch is one call of the spec's fit (``gn.runs.fit_settings``) with the
session's optimizer object (its moments carry over), one generator for the mini-batch order made from
the spec's seed, and ``normalize="keep"`` after the first epoch. So N epochs on the page are one
``gn.runs.fit`` of N epochs of the spec, bit for bit, and with live changes (``live``) the exported
script repeats the segments between them and ends on the same weights.

A frame (what the page draws several times a second) holds the decision boundary on a grid, the
train and dev cost and accuracy, every hidden unit's output over the input plane, per-layer mean
|dW| and activation spread with the diagnosis of ``glassnet.diagnose``, and the dead and
saturated units. Grids travel as base64 bytes (0..255), not as JSON numbers.
"""

from __future__ import annotations

import base64
import os
import tempfile
import time
from pathlib import Path

import numpy as np

import glassnet as gn

from . import data as pdata
from . import live
from .bugs import PlantedBugNetwork
from .checking import check_frame
from .protocol import ProtocolError, default_config, merge_config
from .quiz import Quiz
from .race import Race
from .runspec import to_spec
from .views import bytes64 as _bytes64
from .views import extent as _extent
from .views import finite as _finite
from .views import grid as _grid
from .views import hidden_outputs

BOUNDARY_GRID = 64  # the decision boundary: 64 x 64 points
UNIT_GRID = 24  # each hidden unit's map: 24 x 24 points
HISTORY_POINTS = 4_000  # curve points kept; older ones are thinned by half when it fills
SATURATED_SHARE = 0.9  # a unit is saturated when at least this share of its outputs sit at an asymptote
PANEL_EXAMPLES = 500  # the gradient and activation panel looks at (at most) the first 500 training examples


def make_network(config: dict, initializer: str | None = None, scale: float | None = None) -> PlantedBugNetwork:
    """The network of the page's setup (``gn.runs.build`` of its spec); the race sets its lane's initialization."""
    spec = to_spec(config)
    if initializer is not None or scale is not None:
        spec = spec.replace(initializer=initializer or spec.initializer, init_scale=scale or spec.init_scale)
    return gn.runs.build(spec, 2, 1, "sigmoid", network_class=PlantedBugNetwork)


make_optimizer = live.make_optimizer


def fit_one_epoch(net, opt, rng, X, Y, spec: gn.RunSpec, first: bool) -> None:
    """One epoch of the spec's fit (``gn.runs.fit_settings``) with the session's optimizer and generator, so
    that N calls train as one fit of N epochs; raises gn.DivergenceError on a NaN or infinite cost."""
    settings = gn.runs.fit_settings(spec.replace(epochs=1))
    settings.update(optimizer=opt, learning_rate=None, seed=rng, on_divergence="raise")
    if not first:
        settings["normalize"] = "keep"  # the normalizer fitted in the first epoch
    net.fit(X, Y, **settings)


class Session:
    """The state of one tab: setup, data, network, optimizer, curves, live changes, planted bug, quiz, race."""

    def __init__(self):
        self.config = default_config()
        self.upload = None  # (X, Y, label names, file name)
        self.bug = "none"  # the bug planted by hand; the quiz's own is hidden in self.quiz
        self.quiz = None
        self.quiz_ended = None  # the quiz frame to send when a change of setup ended it
        self.race = None
        self.rebuild()

    # ------------------------------------------------------------------ setup
    def configure(self, partial: dict) -> dict | None:
        """Apply a (partial) configuration. Raises ProtocolError.

        Once an epoch is trained, a change of live settings only (``live.LIVE_FIELDS``) goes to the
        running model: the weights and the epoch count stay, and its record {"epoch", "changes"} is
        returned. Any other change starts a new run (None is returned); a configuration that changes
        nothing changes nothing ({} is returned).
        """
        config = merge_config(self.config, partial, has_upload=self.upload is not None)
        changes = live.changed_fields(self.config, config)
        if not changes:
            return {}
        if self.epoch > 0 and not self.stopped and live.is_live(changes):
            return self._apply_live(config, changes)
        self._switch(config, self.upload)
        return None

    def _apply_live(self, config: dict, changes: dict) -> dict:
        """The live changes applied between two epochs, as the exported script applies them."""
        self.config = config
        self.opt = live.apply(self.net, self.opt, to_spec(config), changes)
        entry = {"epoch": self.epoch, "changes": changes}
        self.changes.append(entry)
        self._panel = None
        if self.quiz is not None and not self.quiz.over and self.net.dormant_reason():
            self._end_quiz("dormant")  # e.g. L2 λ set to 0 with the L2 term's bug hidden
        return entry

    def set_upload(self, name: str, text: str) -> None:
        """Use an uploaded CSV file (see data.parse_csv) as the data set. Raises ProtocolError."""
        X, Y, classes = pdata.parse_csv(text)
        if min(int((Y == 0).sum()), int((Y == 1).sum())) < 2:
            raise ProtocolError("bad_labels", "each of the two labels needs at least 2 rows", found=2)
        self._switch(merge_config(self.config, {"data": "upload"}, has_upload=True), (X, Y, classes, name))

    def _switch(self, config: dict, upload) -> None:
        """Rebuild for a new setup; if glassnet refuses it, the session keeps the setup it had."""
        old = (self.config, self.upload)
        self.config, self.upload = config, upload
        try:
            self.rebuild()
        except Exception:
            self.config, self.upload = old
            self.rebuild()
            raise

    def rebuild(self) -> None:
        """Data, split, network and optimizer from the configuration; epoch 0."""
        c = self.config
        if c["data"] == "upload":
            X, Y = self.upload[0], self.upload[1]
        else:
            X, Y = pdata.generate(c["data"], c["points"], c["noise"], c["seed"])
        self.X, self.Y = X, Y
        self.X_train, self.Y_train, self.X_dev, self.Y_dev = pdata.split(X, Y, c["split"], c["seed"])
        self.extent = _extent(X)
        self.boundary_grid = _grid(self.extent, BOUNDARY_GRID)
        self.unit_grid = _grid(self.extent, UNIT_GRID)
        if self.quiz is not None and not self.quiz.over:
            self._end_quiz("setup")  # the hidden bug's layer may be gone
        self.reset()

    def reset(self) -> None:
        """A fresh network (same seed, so the same initial weights) and optimizer; curves and changes cleared."""
        self.run_id = getattr(self, "run_id", 0) + 1  # frames carry it; the page drops those of an old run
        self.net = make_network(self.config)
        self._plant()
        self.initial_net = self.net.copy()  # the diagnosis compares with the network at initialization
        self.opt = make_optimizer(self.config)
        self.rng = np.random.default_rng(self.config["seed"])  # the mini-batch order of every epoch of the run
        self.epoch = 0
        self.stopped = None  # why training stopped by itself (divergence), or None
        self.curves = {"epoch": [], "train_cost": [], "dev_cost": [], "train_acc": [], "dev_acc": []}
        self.changes = []  # the live changes of this run: {"epoch", "changes": {field: [old, new]}}
        self._curves_sent, self._curves_rewritten = 0, True
        self._panel = None  # ((run, bug), the last layer panel)
        self.frames = 0
        self.race = None
        self.seconds_training = 0.0

    def _plant(self) -> None:
        """The quiz's hidden bug, or the one planted by hand, into the network."""
        if self.quiz is not None and not self.quiz.over:
            self.quiz.plant(self.net)
        else:
            self.net.bug, self.net.bug_layer = self.bug, None
        self._panel = None

    def state(self) -> dict:
        """What the page needs once per setup: the configuration, the points, the window."""
        def points(X, Y):
            return {"x": np.round(X[0], 5).tolist(), "y": np.round(X[1], 5).tolist(), "label": Y[0].tolist()}

        upload = None
        if self.upload is not None:
            upload = {"name": self.upload[3], "classes": self.upload[2], "points": int(self.upload[0].shape[1])}
        return {
            "type": "state", "run": self.run_id, "config": self.config, "extent": self.extent,
            "train": points(self.X_train, self.Y_train), "dev": points(self.X_dev, self.Y_dev),
            "boundary_grid": BOUNDARY_GRID, "unit_grid": UNIT_GRID, "upload": upload, "bug": self.bug,
            "n_params": self.net.n_params, "changes": self.changes, "epoch": self.epoch,
            "quiz": None if self.quiz is None else self.quiz.public(),
        }

    # ------------------------------------------------------------------ training
    def train_epochs(self, n: int = 1) -> int:
        """Train ``n`` epochs (fewer if the cost diverges); returns the number trained."""
        done = 0
        t0 = time.perf_counter()
        for _ in range(n):
            if self.stopped:
                break
            try:
                fit_one_epoch(self.net, self.opt, self.rng, self.X_train, self.Y_train, to_spec(self.config),
                              self.epoch == 0)
            except gn.DivergenceError:
                self.stopped = "diverged"
                break
            self.epoch += 1
            done += 1
        self.seconds_training += time.perf_counter() - t0
        return done

    def train_for(self, seconds: float, max_epochs: int = 10_000) -> int:
        """Train whole epochs for about ``seconds`` (at least one); returns the number trained."""
        done = 0
        end = time.perf_counter() + seconds
        while done < max_epochs and not self.stopped:
            done += self.train_epochs(1)
            if time.perf_counter() >= end:
                break
        return done

    def tick(self, seconds: float, units: bool = True, max_epochs: int = 10_000) -> dict:
        """Train for about ``seconds`` (at most ``max_epochs``, at least one), then the frame."""
        self.train_for(seconds, max_epochs)
        return self.frame(units=units)

    # ------------------------------------------------------------------ frames
    def _record(self, train: dict, dev: dict) -> None:
        c = self.curves
        if c["epoch"] and c["epoch"][-1] == self.epoch:
            return
        c["epoch"].append(self.epoch)
        c["train_cost"].append(_finite(train["cost"]))
        c["dev_cost"].append(_finite(dev["cost"]))
        c["train_acc"].append(_finite(train["accuracy"]))
        c["dev_acc"].append(_finite(dev["accuracy"]))
        if len(c["epoch"]) > HISTORY_POINTS:
            for key in c:  # keep the first point and every other one after it
                c[key] = c[key][::2]
            self._curves_rewritten = True

    def frame(self, units: bool = True) -> dict:
        """Everything the page draws for the network as it is now.

        ``units=False`` leaves out the unit maps and weights and reuses the last layer panel (the
        server asks for them every few frames when the network is large).
        """
        net = self.net
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            train = net.evaluate(self.X_train, self.Y_train)
            dev = net.evaluate(self.X_dev, self.Y_dev)
            self._record(train, dev)
            proba = net.predict_proba(self.boundary_grid)
            if units or self._panel is None or self._panel[0] != (self.run_id, self.bug):
                self._panel = ((self.run_id, self.bug), self._layer_panel())
            layers = self._panel[1]
            unit_maps = self._unit_maps() if units else None
            weights = self._weights() if units else None
        self.frames += 1
        return {
            "type": "frame", "run": self.run_id, "epoch": self.epoch, "stopped": self.stopped,
            "train_cost": _finite(train["cost"]), "train_acc": _finite(train["accuracy"]),
            "dev_cost": _finite(dev["cost"]), "dev_acc": _finite(dev["accuracy"]),
            "curves": self._curves_since(),
            "boundary": _bytes64(proba[0]),
            "units": unit_maps, "weights": weights, **layers,
        }

    def _curves_since(self) -> dict:
        """The curve points the page has not had yet ("from": where they start; 0 means replace)."""
        start = 0 if self._curves_rewritten else self._curves_sent
        self._curves_rewritten = False
        self._curves_sent = len(self.curves["epoch"])
        return {"from": start, **{key: values[start:] for key, values in self.curves.items()}}

    def _layer_panel(self) -> dict:
        """Per layer: mean |dW| (through cost_and_gradients, so a planted bug shows), activation
        spread, dead and saturated units; the diagnosis of glassnet.diagnose. On the first
        PANEL_EXAMPLES training examples (the split is shuffled, so they are a random sample)."""
        net = self.net
        X, Y = self.X_train[:, :PANEL_EXAMPLES], self.Y_train[:, :PANEL_EXAMPLES]
        _, grads = net.cost_and_gradients(X, Y, training=False)
        step = self.config["lr"] if self.config["optimizer"] == "gd" else None  # ‖α·dW‖/‖W‖ is a GD step's
        diagnosis = gn.diagnose(net, X, Y, learning_rate=step, initial=self.initial_net)
        outputs = hidden_outputs(net, X)
        layers = []
        for l, stats in enumerate(diagnosis.layers, start=1):
            Z, A = outputs[l - 1]
            name = stats.activation
            dead = np.zeros(Z.shape[0], dtype=bool)
            saturated = np.zeros(Z.shape[0], dtype=bool)
            if l < net.L:
                if name == "relu":
                    dead = (Z <= 0).all(axis=1)
                elif name in gn.diagnostics.SATURATION:
                    hi = gn.diagnostics.SATURATION[name]
                    at_edge = (A < 1 - hi) | (A > hi) if name == "sigmoid" else np.abs(A) > hi
                    saturated = at_edge.mean(axis=1) >= SATURATED_SHARE
            layers.append({
                "layer": l, "units": stats.units, "activation": name,
                "mean_abs_dW": _finite(np.abs(grads[f"dW{l}"]).mean()),
                "grad_norm": _finite(stats.grad_norm), "std_a": _finite(stats.std_a), "rms_a": _finite(stats.rms_a),
                "mean_z": _finite(stats.mean_z), "std_z": _finite(stats.std_z),
                "dead_units": np.flatnonzero(dead).tolist(), "saturated_units": np.flatnonzero(saturated).tolist(),
            })
        return {"layers": layers, "diagnosis": {
            "verdict": diagnosis.verdict, "activation_growth": _finite(diagnosis.activation_growth),
            "gradient_growth": _finite(diagnosis.gradient_growth), "steps": diagnosis.steps,
            "activation_rate": _finite(diagnosis.activation_rate), "gradient_rate": _finite(diagnosis.gradient_rate),
            "learned": diagnosis.learned, "reasons": diagnosis.reasons, "warnings": diagnosis.warnings,
        }}

    def _weights(self) -> list:
        """W[1] .. W[L-1] (the links drawn between the columns of unit maps), rounded for the wire."""
        params = self.net.params
        return [np.round(params[f"W{l}"].astype(np.float64), 4).tolist() for l in range(1, self.net.L)]

    def _unit_maps(self) -> list[list[dict]]:
        """Per hidden layer, per unit: its output over the plane, scaled by its largest |value|."""
        maps = []
        for _, A in hidden_outputs(self.net, self.unit_grid)[:-1]:
            A = np.nan_to_num(A, nan=0.0, posinf=0.0, neginf=0.0)
            scales = np.abs(A).max(axis=1)
            scales[scales == 0] = 1.0
            scaled = (A / scales[:, None] + 1.0) / 2.0
            maps.append([{"map": _bytes64(row), "scale": float(scale)}
                         for row, scale in zip(scaled, scales, strict=True)])
        return maps

    # ------------------------------------------------------------------ teaching moments
    def plant(self, bug: str) -> dict:
        """Plant ``bug`` by hand, in every layer where it bites (it ends a quiz: the bug is no longer hidden)."""
        if self.quiz is not None and not self.quiz.over:
            self.quiz.reveal()
        self.quiz = None
        self.bug = bug
        self._plant()
        return {"type": "bug", "bug": bug, "dormant": self.net.dormant_reason()}

    def gradient_check(self) -> dict:
        """glassnet.gradient_check on a few training examples, as a frame (see ``checking``)."""
        hidden = self.quiz is not None and not self.quiz.over
        frame, words = check_frame(self.net, self.X_train, self.Y_train, self.epoch, self.bug, hidden)
        if self.quiz is not None and hidden:
            self.quiz.words, self.quiz.checked = words, self.quiz.checked + 1
        return frame

    # ------------------------------------------------------------------ find the bug
    def quiz_start(self) -> dict:
        """Hide a bug drawn from those that bite in this network (see ``quiz``)."""
        self.quiz = Quiz(self.net)
        self.bug = "none"
        self._plant()
        return self.quiz.public()

    def quiz_answer(self, layer: int, formula: str) -> dict:
        """Check the learner's answer (see ``Quiz.answer``)."""
        return self._quiz().answer(layer, formula)

    def quiz_reveal(self) -> dict:
        """Give up: the answer, explained."""
        return self._quiz().reveal()

    def quiz_stop(self) -> dict:
        """Leave the quiz: its bug is taken out of the network."""
        quiz = self._quiz()
        if not quiz.over:
            quiz.reveal()
        self.quiz = None
        self._plant()
        return {"type": "quiz", "active": False, "stopped": True}

    def _quiz(self) -> Quiz:
        if self.quiz is None:
            raise ProtocolError("no_quiz", "no bug is hidden: start 'find the bug' first")
        return self.quiz

    def _end_quiz(self, reason: str) -> None:
        """A change of setup ended the quiz: the answer is given, the bug taken out."""
        self.quiz.reveal()
        self.quiz_ended = {**self.quiz.public(), "ended": reason}
        self.quiz = None
        self._plant()

    # ------------------------------------------------------------------ initialization race
    def race_start(self, epochs: int, optimizer: str = "gd") -> dict:
        """Three copies of the setup that differ only in initialization: zeros, random x10, He (see ``race``)."""
        data = (self.X_train, self.Y_train, self.X_dev, self.Y_dev, self.unit_grid)
        self.race = Race(make_network, self.config, data, epochs, optimizer)
        return self.race_frame()

    def race_tick(self, seconds: float) -> dict:
        """Train each lane one epoch in turn for about ``seconds``; then the race frame."""
        self.race.tick(seconds)
        return self.race_frame()

    def race_frame(self) -> dict:
        """The race as the page draws it."""
        return self.race.frame(UNIT_GRID, _bytes64)

    # ------------------------------------------------------------------ export
    def export(self) -> dict:
        """The model as a glassnet model file and as ONNX (base64 each) and a script that repeats the run."""
        fd, name = tempfile.mkstemp(suffix=".npz", prefix="glassnet-playground-")
        os.close(fd)
        try:
            gn.save(self.net, name, source="glassnet playground", playground=self.config, epochs=self.epoch,
                    live_changes=self.changes)  # the run's history: settings changed between epochs
            payload = Path(name).read_bytes()
        finally:
            Path(name).unlink(missing_ok=True)
        return {"type": "export", "model": base64.b64encode(payload).decode("ascii"),
                "model_name": f"playground-{self.config['data']}-epoch{self.epoch}.npz",
                "script": self.script(), "script_name": f"playground-{self.config['data']}.py", **self.onnx_export()}

    def onnx_export(self) -> dict:
        """{"onnx": the model as ONNX (base64), "onnx_name"}; "onnx" None and "onnx_error" when it cannot be made
        (onnx not installed on the server), so the other two downloads still work."""
        name = f"playground-{self.config['data']}-epoch{self.epoch}.onnx"
        try:
            payload = gn.to_onnx(self.net).SerializeToString()
        except gn.GlassnetError as exc:
            return {"onnx": None, "onnx_name": name, "onnx_error": str(exc)}
        return {"onnx": base64.b64encode(payload).decode("ascii"), "onnx_name": name}

    def script(self) -> str:
        """A Python script that repeats this run with the library and saves the model."""
        c = self.config
        lines = [
            '"""A glassnet playground run, repeated with the library: the same data, network and epochs."""',
            "",
            *(["import numpy as np", ""] if c["data"] == "upload" or self.changes else []),
            "import glassnet as gn",
            "",
        ]
        if c["data"] == "upload":
            X, Y, classes, fname = self.upload
            lines += [
                f"# the uploaded file {fname!r}: x1, x2 and the label (0 = {classes[0]!r}, 1 = {classes[1]!r})",
                f"X = np.array({X.tolist()!r}, dtype=np.float64)",
                f"Y = np.array({Y.tolist()!r}, dtype=np.int64)",
            ]
        else:
            lines.append(f"X, Y = {pdata.generator_source(c['data'], c['points'], c['noise'], c['seed'])}")
        m = self.X.shape[1]
        n_dev = self.X_dev.shape[1]
        lines += [
            f"X_train, Y_train, X_dev, Y_dev = gn.train_test_split(X, Y, test={n_dev}, seed={c['seed']})"
            f"  # {m - n_dev} train, {n_dev} dev",
            "",
            "# the run as the page described it: the network, its initialization and its fit",
            *live.spec_lines(c, self.changes, self.epoch),
            'net = gn.runs.build(spec, 2, 1, "sigmoid")',
            *live.training_lines(c, self.changes, self.epoch),
            "",
            'print("train", net.evaluate(X_train, Y_train))',
            'print("dev  ", net.evaluate(X_dev, Y_dev))',
            'gn.save(net, "playground-model.npz")',
            '# gn.save_onnx(net, "playground-model.onnx")  # for onnxruntime; needs: pip install "glassnet[onnx]"',
        ]
        if self.net.bug != "none":
            what = "a hidden bug" if self.quiz is not None and not self.quiz.over else f"the planted bug {self.bug!r}"
            lines.insert(1, f"# ({what} lives only in the playground's gradient check: training used the library's "
                            "backprop)")
        return "\n".join(lines) + "\n"
