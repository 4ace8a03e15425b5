"""Many trainings at once: a grid and/or random search over Network and fit arguments, crossed with seeds.

    result = gn.sweep(X, Y, X_dev=X_dev, Y_dev=Y_dev, layers=[20, 7], epochs=300,
                      grid={"l2": [0, 0.1, 0.7], "keep_prob": [1, 0.86]}, seeds=5, out="runs/sweep1")
    print(result)                   # the configurations ranked by median dev data cost

A trial is (configuration, seed) and nothing else: ``Network(..., seed=seed)``, ``fit(..., seed=seed)``
with the configuration's arguments, under one BLAS thread. So a trial gives the same numbers, bit for
bit, in this process, in a local worker process or on a Dask worker of the same kind of machine.

Backends (``backend=``):

* ``"local"`` (the default): worker processes on this machine (joblib's loky), one per core unless
  ``n_workers`` says otherwise. The data set goes to each worker once, when it starts.
* ``"dask"``: a ``dask.distributed`` cluster. ``scheduler=None`` starts a LocalCluster of
  ``n_workers`` processes (one thread each) for the sweep and closes it after; ``scheduler=`` an
  address (``"tcp://host:8786"``), a ``Client`` or a cluster object uses that cluster. The data set is
  scattered to the workers once (broadcast); each trial sends only its configuration and seed.
* ``"sequential"``: one trial after another in this process.

Faults: a trial that raises is recorded (status "error", the exception in the ``error`` column, the
traceback in ``errors.log``) and the sweep goes on. A worker that dies takes its running trials with
it; they run again: Dask's scheduler reschedules them on the other workers (up to its
``distributed.scheduler.allowed-failures``), the local backend starts fresh worker processes
(``retries`` times). The trials still missing after that are recorded as errors.

The folder ``out`` holds ``sweep.json`` (what was swept, the fixed settings, the data's fingerprint),
``results.csv`` (one row per trial, written as each trial finishes), ``summary.csv`` (per
configuration: median, min and max over seeds, ranked by dev data cost), ``best_model.npz`` (the
best configuration, retrained from its best seed) and one figure per swept argument. Running the same
sweep again into the same folder skips the trials that finished (rows with status "ok") and runs the
rest, failed trials included; adding grid values or seeds adds only the new trials.

"Data cost" is the cost of the data alone, J without the L2 term, so that configurations with
different ``l2`` compare on the same scale.

``dask`` and ``joblib`` are imported only when their backend runs: ``pip install "glassnet[sweeps]"``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import math
import os
import socket
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import defaults as run_defaults
from .errors import GlassnetError, HyperparameterError, unknown_name

INSTALL_HINT = 'pip install "glassnet[sweeps]"'

NETWORK_SETTINGS = {"layers": list(run_defaults.HIDDEN_LAYERS), "activation": run_defaults.ACTIVATION,
                    "leaky_alpha": 0.01, "initializer": run_defaults.INITIALIZER, "init_scale": 1.0, "keep_prob": 1.0,
                    "l2": 0.0, "dtype": "float32"}
FIT_SETTINGS = {"epochs": None, "batch_size": run_defaults.BATCH_SIZE, "optimizer": run_defaults.OPTIMIZER,
                "learning_rate": None, "schedule": run_defaults.SCHEDULE, "early_stopping": 0, "normalize": True,
                "augment": None}
SETTINGS = {**NETWORK_SETTINGS, **FIT_SETTINGS}
"""Every argument a sweep can fix or vary, with its default: the run defaults of ``glassnet.defaults``, as
``glassnet train`` (a learning rate of None is the run default for the optimizer; epochs None the run default
for the training set's size, ``glassnet.defaults.epochs_for``)."""

OPTIONAL = ("learning_rate", "schedule", "augment", "batch_size", "epochs")  # the settings that may be None
BACKENDS = ("local", "dask", "sequential")
DISTRIBUTIONS = ("uniform", "log", "int", "choice")
ONE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

# ---------------------------------------------------------------------- settings and their values


def setting_name(name: str) -> str:
    """'keep-prob' -> 'keep_prob'; unknown names are refused with the list of known ones."""
    key = str(name).strip().lower().replace("-", "_")
    if key not in SETTINGS:
        raise unknown_name("sweep setting", name, list(SETTINGS))
    return key


def setting_value(key: str, value):
    """``value`` as setting ``key`` takes it: layers -> list of ints, keep_prob -> float or list, ..."""
    try:
        if key == "layers":
            if isinstance(value, str):
                value = value.replace(",", "x").split("x")  # "20xx7" has an empty size: refused, not read as 20x7
                if any(not v.strip() for v in value):
                    raise ValueError
            sizes = [value] if isinstance(value, int | np.integer) else list(value)
            sizes = [int(v) for v in sizes]
            if not sizes or min(sizes) < 1:
                raise ValueError
            return sizes
        if key == "keep_prob":
            if isinstance(value, str):
                value = [float(v) for v in value.replace(",", "x").split("x")]  # an empty entry raises
            if isinstance(value, Sequence | np.ndarray):
                values = [float(v) for v in value]
                return values[0] if len(values) == 1 else values
            return float(value)
        if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "default", "")):
            if key not in OPTIONAL:
                raise ValueError
            return None
        if key in ("init_scale", "l2", "leaky_alpha", "learning_rate"):
            return float(value)
        if key in ("epochs", "early_stopping"):
            return _whole(value)
        if key == "batch_size":
            size = _whole(value)
            return None if size == 0 else size
        if key == "normalize":
            if isinstance(value, str):
                if value.strip().lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError
                return value.strip().lower() in ("true", "1", "yes")
            return bool(value)
        return str(value).strip()
    except (TypeError, ValueError) as exc:
        raise HyperparameterError(f"sweep setting {key!r} cannot take the value {value!r}"
                                  f"{' (hidden sizes like 20x7 or [20, 7])' if key == 'layers' else ''}") from exc


def _whole(value) -> int:
    number = float(value)
    if number != int(number):
        raise ValueError
    return int(number)


def format_value(value) -> str:
    """How a setting's value is written in CSV files and figure labels: [20, 7] -> '20x7', None -> 'none'."""
    if value is None:
        return "none"
    if isinstance(value, list | tuple):
        return "x".join(format_value(v) for v in value)
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return str(value)


def _sort_key(value):
    if value is None:
        return (0, 0.0, "")
    if isinstance(value, bool):
        return (1, float(value), "")
    if isinstance(value, int | float | np.integer | np.floating):
        return (1, float(value), "")
    if isinstance(value, list | tuple):
        return (2, float(len(value)), format_value(value))
    return (3, 0.0, str(value))


def check_settings(settings: dict | None = None) -> dict:
    """The defaults of ``SETTINGS`` updated with ``settings`` (names checked, values converted)."""
    full = dict(SETTINGS)
    for name, value in (settings or {}).items():
        key = setting_name(name)
        full[key] = setting_value(key, value)
    return full


# ---------------------------------------------------------------------- grids and random draws


def parse_grid(items: Sequence[str]) -> dict:
    """``["l2=0,0.1,0.7", "layers=20x7,40x20x7"]`` (the CLI's --grid) -> {"l2": [0.0, 0.1, 0.7], ...}."""
    grid = {}
    for item in items:
        name, values = _split_assignment(item, "--grid", "l2=0,0.1,0.7")
        key = setting_name(name)
        if key in grid:
            raise HyperparameterError(f"--grid {key} is given twice; list every value in one --grid {key}=...")
        grid[key] = [v for v in values.split(",") if v.strip()]
    return grid


def parse_random(items: Sequence[str]) -> dict:
    """``["learning_rate=log:1e-4:1e-1", "keep_prob=choice:0.8,1", "batch_size=int:16:128"]`` -> a spec."""
    spec = {}
    for item in items:
        name, text = _split_assignment(item, "--random", "learning_rate=log:1e-4:1e-1")
        kind, _, rest = text.partition(":")
        if kind == "choice":
            spec[setting_name(name)] = ("choice", [v for v in rest.split(",") if v.strip()])
        else:
            spec[setting_name(name)] = (kind, *rest.split(":"))
    return spec


def _split_assignment(item: str, flag: str, example: str) -> tuple[str, str]:
    name, sep, values = str(item).partition("=")
    if not sep or not name.strip() or not values.strip():
        raise HyperparameterError(f"{flag} takes NAME=VALUES like {example}, got {item!r}")
    return name.strip(), values.strip()


def _check_distribution(key: str, spec) -> tuple:
    if isinstance(spec, str):
        kind, _, rest = spec.partition(":")
        spec = ("choice", rest.split(",")) if kind == "choice" else (kind, *rest.split(":"))
    if not isinstance(spec, tuple | list) or not spec or spec[0] not in DISTRIBUTIONS:
        raise HyperparameterError(
            f"random setting {key!r} needs a distribution: ('uniform', low, high), ('log', low, high), "
            f"('int', low, high) or ('choice', [values]) (text: 'log:1e-4:1e-1'), got {spec!r}"
        )
    kind = spec[0]
    if kind == "choice":
        values = list(spec[1]) if len(spec) == 2 and isinstance(spec[1], list | tuple) else list(spec[1:])
        if not values:
            raise HyperparameterError(f"random setting {key!r}: 'choice' needs at least one value")
        return ("choice", [setting_value(key, v) for v in values])
    try:
        low, high = float(spec[1]), float(spec[2])
    except (IndexError, TypeError, ValueError) as exc:
        raise HyperparameterError(f"random setting {key!r}: {kind!r} needs a low and a high value, "
                                  f"got {spec!r}") from exc
    if not low <= high or (kind == "log" and low <= 0):
        raise HyperparameterError(f"random setting {key!r}: needs low <= high{' and low > 0' if kind == 'log' else ''}"
                                  f", got {low} and {high}")
    return (kind, low, high)


def _draw(key: str, spec: tuple, rng: np.random.Generator):
    kind = spec[0]
    if kind == "choice":
        return spec[1][int(rng.integers(len(spec[1])))]
    low, high = spec[1], spec[2]
    if kind == "int":
        return setting_value(key, int(rng.integers(math.ceil(low), math.floor(high) + 1)))
    value = math.exp(rng.uniform(math.log(low), math.log(high))) if kind == "log" else rng.uniform(low, high)
    value = float(f"{value:.4g}")  # 4 significant digits: readable configurations, still spread
    return setting_value(key, value)


def expand(grid: dict | None = None, random: dict | None = None, n_random: int = 0, random_seed: int = 0) -> list:
    """The configurations of a sweep: every combination of ``grid`` crossed with ``n_random`` draws.

    ``grid``: {setting: [values]} (the last setting varies fastest). ``random``: {setting: distribution},
    drawn ``n_random`` times from ``random_seed``, so the same arguments always give the same list.
    Without either, one configuration (no setting varied: a sweep over seeds). Duplicates are dropped.
    """
    grid = {setting_name(k): v for k, v in (grid or {}).items()}
    random = {setting_name(k): _check_distribution(setting_name(k), v) for k, v in (random or {}).items()}
    both = set(grid) & set(random)
    if both:
        raise HyperparameterError(f"{', '.join(sorted(both))} is both in the grid and drawn at random; choose one")
    for key, values in grid.items():
        if isinstance(values, str) or not isinstance(values, Sequence | np.ndarray) or len(values) == 0:
            raise HyperparameterError(f"grid[{key!r}] must be a non-empty list of values, got {values!r}")
    if random and (isinstance(n_random, bool) or not isinstance(n_random, int) or n_random < 1):
        raise HyperparameterError(f"n_random must be >= 1 when settings are drawn at random, got {n_random!r}")
    grid_configs = [dict(zip(grid, combo, strict=True))
                    for combo in itertools.product(*([setting_value(k, v) for v in vs] for k, vs in grid.items()))]
    rng = np.random.default_rng(random_seed)
    random_configs = [{k: _draw(k, spec, rng) for k, spec in random.items()} for _ in range(n_random)] or [{}]
    configs, seen = [], set()
    for g in grid_configs:
        for r in random_configs:
            config = {**g, **r}
            text = json.dumps(config, sort_keys=True)
            if text not in seen:
                seen.add(text)
                configs.append(config)
    return configs


def check_seeds(seeds) -> list[int]:
    """5 -> [0, 1, 2, 3, 4]; a list of ints is kept as it is."""
    if isinstance(seeds, int | np.integer) and not isinstance(seeds, bool):
        if seeds < 1:
            raise HyperparameterError(f"seeds must be >= 1 (how many) or a list of seeds, got {seeds}")
        return list(range(int(seeds)))
    try:
        values = [int(s) for s in seeds]
    except (TypeError, ValueError) as exc:
        raise HyperparameterError(f"seeds must be a count or a list of integers, got {seeds!r}") from exc
    if not values or len(set(values)) != len(values) or min(values) < 0:
        raise HyperparameterError(f"seeds must be a non-empty list of distinct integers >= 0, got {seeds!r}")
    return values


# ---------------------------------------------------------------------- one trial


def data_cost(result: dict) -> float:
    """J of the data alone, (1/m) sum of the losses, from ``net.evaluate``'s result: its "data_cost"
    when it has one, else its "cost", which is the data cost (the L2 term is not in it)."""
    return float(result["data_cost"] if "data_cost" in result else result["cost"])


def build_and_fit(data: dict, config: dict, seed: int):
    """(network, history) of one trial: ``config`` holds every setting (see ``SETTINGS``)."""
    from .activations import LeakyReLU
    from .callbacks import EarlyStopping
    from .network import Network

    n_hidden = len(config["layers"])
    names = [a.strip() for a in str(config["activation"]).split(",") if a.strip()]
    names = names * n_hidden if len(names) == 1 else names
    if len(names) != n_hidden:
        raise HyperparameterError(f"activation needs 1 or {n_hidden} names (one per hidden layer), got {len(names)}")
    activations = [LeakyReLU(config["leaky_alpha"]) if n.replace("-", "_").lower() == "leaky_relu" else n
                   for n in names] + [data["output"]]
    net = Network([data["X"].shape[0], *config["layers"], data["n_out"]], activations=activations,
                  initializer=config["initializer"], init_scale=config["init_scale"], keep_prob=config["keep_prob"],
                  l2=config["l2"], dtype=config["dtype"], seed=seed, **data.get("pipeline", {}))
    augment = None
    if config["augment"]:
        from .data.augmentation import from_names

        augment = from_names(config["augment"], image_shape=data.get("image_shape"))
    early = EarlyStopping(patience=config["early_stopping"]) if config["early_stopping"] else None
    history = net.fit(data["X"], data["Y"], epochs=config["epochs"], batch_size=config["batch_size"],
                      optimizer=config["optimizer"], learning_rate=config["learning_rate"],
                      schedule=config["schedule"], X_dev=data.get("X_dev"), Y_dev=data.get("Y_dev"),
                      early_stopping=early, normalize=config["normalize"], seed=seed, augment=augment,
                      image_shape=data.get("image_shape") if augment is not None else None)
    return net, history


def measure(net, data: dict) -> dict:
    """{split}_data_cost and {split}_{accuracy|rmse} for every split the data has."""
    row = {}
    for split, (X, Y) in splits(data).items():
        result = net.evaluate(X, Y)
        row[f"{split}_data_cost"] = data_cost(result)
        row[f"{split}_{data['metric']}"] = float(result[data["metric"]])
    return row


def train_trial(data: dict, config: dict, seed: int) -> dict:
    """The default trial: build, train, then the data cost and accuracy (or rmse) of every split."""
    net, history = build_and_fit(data, config, seed)
    return {**measure(net, data), "best_epoch": history.best_epoch, "epochs_run": len(history)}


def splits(data: dict) -> dict:
    pairs = {"train": ("X", "Y"), "dev": ("X_dev", "Y_dev"), "test": ("X_test", "Y_test")}
    return {split: (data[x], data[y]) for split, (x, y) in pairs.items() if data.get(x) is not None}


@dataclass
class TrialOutcome:
    """What came back from one trial: its value, or the error it raised; seconds and the worker."""

    value: object = None
    error: str = ""
    traceback: str = ""
    seconds: float = 0.0
    worker: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def run_one(function: Callable, data: dict, config: dict, seed: int) -> TrialOutcome:
    """``function(data, config, seed)`` under one BLAS thread; an exception becomes the outcome's error.

    Every backend runs trials through this function, so a trial computes the same numbers wherever it
    runs (the BLAS thread count can change the order of a matrix product's sums).
    """
    from threadpoolctl import threadpool_limits

    worker = f"{socket.gethostname()}:{os.getpid()}"
    started = time.perf_counter()
    try:
        with threadpool_limits(limits=1):
            value = function(data, config, seed)
    except Exception as exc:
        return TrialOutcome(error=f"{type(exc).__name__}: {exc}".replace("\n", " "),
                            traceback=traceback.format_exc(), seconds=time.perf_counter() - started, worker=worker)
    return TrialOutcome(value=value, seconds=time.perf_counter() - started, worker=worker)


# ---------------------------------------------------------------------- backends

_INSTALLED: dict[str, dict] = {}  # the data set in a local worker process, by token (set once, at its start)


def _install_data(token: str, data: dict) -> None:
    _INSTALLED.clear()
    _INSTALLED[token] = data


def _run_installed(function: Callable, token: str, config: dict, seed: int) -> TrialOutcome:
    return run_one(function, _INSTALLED[token], config, seed)


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def import_distributed():
    """``distributed``, or a one-line GlassnetError telling how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise GlassnetError(f"the dask backend needs dask.distributed, which is not installed: {INSTALL_HINT}") from exc
    return distributed


def check_backend(backend: str, n_workers: int | None = None) -> str:
    """The backend's name, checked; for "dask" also that dask.distributed can be imported."""
    if backend not in BACKENDS:
        raise unknown_name("sweep backend", backend, list(BACKENDS))
    if n_workers is not None and (isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1):
        raise HyperparameterError(f"n_workers must be >= 1 (or None: one per core), got {n_workers!r}")
    if backend == "dask":
        import_distributed()
    elif backend == "local":
        try:
            import joblib  # noqa: F401
        except ImportError as exc:
            raise GlassnetError(f"the local backend needs joblib, which is not installed: {INSTALL_HINT}") from exc
    return backend


def backend_options(dask: str | None = None, scheduler=None, jobs: int | None = None,
                    default: str = "local") -> tuple[str, int | None, object]:
    """(backend, n_workers, scheduler) from the CLI's --dask local[:N], --scheduler ADDR and --jobs N.

    --jobs 1 means one trial after another in this process.
    """
    if dask is not None and scheduler is not None:
        raise HyperparameterError("--dask and --scheduler both choose a Dask cluster; give one of them")
    if jobs is not None and (dask is not None or scheduler is not None):
        raise HyperparameterError("--jobs sets local worker processes; it does not go with --dask or --scheduler")
    if scheduler is not None:
        return "dask", None, scheduler
    if dask is not None:
        name, _, count = str(dask).partition(":")
        if name != "local" or (count and not count.isdigit()) or count == "0":
            raise HyperparameterError(f"--dask takes local or local:N (N worker processes), got {dask!r}; "
                                      "for an existing cluster use --scheduler tcp://HOST:PORT")
        return "dask", int(count) if count else None, None
    if jobs is not None:
        if jobs < 1:
            raise HyperparameterError(f"--jobs must be >= 1, got {jobs}")
        return ("sequential", None, None) if jobs == 1 else ("local", jobs, None)
    return default, None, None


def map_trials(function: Callable, data: dict, items: Sequence[tuple[dict, int]], *, backend: str = "local",
               n_workers: int | None = None, scheduler=None, retries: int = 2) -> Iterator[tuple[int, TrialOutcome]]:
    """Run ``function(data, config, seed)`` for each (config, seed) of ``items``; yield (position, outcome)
    as trials finish (in any order). ``data`` goes to each worker once. See the module's docstring."""
    check_backend(backend, n_workers)
    items = list(items)
    if not items:
        return iter(())
    if backend == "sequential":
        return ((i, run_one(function, data, config, seed)) for i, (config, seed) in enumerate(items))
    n_workers = min(n_workers or cpu_count(), len(items)) if backend == "local" else n_workers
    if backend == "local":
        return _local_outcomes(function, data, items, n_workers, retries)
    return _dask_outcomes(function, data, items, n_workers, scheduler, retries)


def _local_outcomes(function, data, items, n_workers, retries) -> Iterator[tuple[int, TrialOutcome]]:
    import concurrent.futures

    from joblib.externals.loky import ProcessPoolExecutor

    pending, restarts = list(range(len(items))), 0
    while pending:
        token = uuid.uuid4().hex
        # The data travels once per worker process, as the initializer's argument; one BLAS thread
        # per process (set before NumPy loads), so N workers use N cores.
        executor = ProcessPoolExecutor(max_workers=min(n_workers, len(pending)), initializer=_install_data,
                                       initargs=(token, data), env=ONE_THREAD_ENV)
        lost = []
        try:
            futures = {executor.submit(_run_installed, function, token, *items[i]): i for i in pending}
            for future in concurrent.futures.as_completed(futures):
                try:
                    outcome = future.result()
                except concurrent.futures.BrokenExecutor:  # a worker process died: the pool is gone
                    lost.append(futures[future])
                    continue
                yield futures[future], outcome
        finally:
            executor.shutdown(wait=True, kill_workers=True)
        if lost and restarts >= retries:
            for i in sorted(lost):
                yield i, TrialOutcome(error=f"WorkerDied: a worker process died while this trial ran or waited, "
                                            f"{restarts + 1} times (retries={retries})", worker="local")
            return
        restarts += bool(lost)
        pending = sorted(lost)


def _dask_client(distributed, scheduler, n_workers, stack):
    if scheduler is None:
        import dask

        # The workers' statistical profiler samples every thread's stack each 10 ms: 2-3 % of a trial,
        # for a dashboard nobody opens here.
        with dask.config.set({"distributed.worker.profile.enabled": False}):
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=n_workers or cpu_count(), threads_per_worker=1, processes=True, dashboard_address=None,
                scheduler_kwargs={"dashboard_address": ":0"}))  # no dashboard; its HTTP server on a free port
        return stack.enter_context(distributed.Client(cluster))
    if isinstance(scheduler, distributed.Client):
        return scheduler
    if isinstance(scheduler, str):
        try:
            return stack.enter_context(distributed.Client(scheduler, timeout="20s"))
        except OSError as exc:
            raise GlassnetError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    if hasattr(scheduler, "scheduler_address"):  # a cluster object (LocalCluster, KubeCluster, SLURMCluster, ...)
        return stack.enter_context(distributed.Client(scheduler))
    raise HyperparameterError(f"scheduler must be an address like tcp://HOST:8786, a dask Client or a cluster, "
                              f"got {scheduler!r}")


def _dask_outcomes(function, data, items, n_workers, scheduler, retries) -> Iterator[tuple[int, TrialOutcome]]:
    import contextlib

    distributed = import_distributed()
    with contextlib.ExitStack() as stack:
        client = _dask_client(distributed, scheduler, n_workers, stack)
        pending, rounds = list(range(len(items))), 0
        while pending:
            # Once to every worker; a worker that joins or restarts later fetches it from a peer.
            [data_future] = client.scatter([data], broadcast=True, hash=False)
            tag = uuid.uuid4().hex[:8]
            futures = {client.submit(run_one, function, data_future, *items[i], key=f"glassnet-trial-{i}-{tag}",
                                     pure=False, retries=retries): i for i in pending}
            lost = []
            try:
                for future in distributed.as_completed(futures):
                    i = futures[future]
                    try:
                        outcome = future.result()
                    except distributed.KilledWorker as exc:
                        allowed = distributed.config.get("distributed.scheduler.allowed-failures")
                        outcome = TrialOutcome(error=f"KilledWorker: the workers running this trial died "
                                                     f"{allowed + 1} times ({exc})", worker="dask")
                    except Exception as exc:  # the cluster lost the trial or its data (not the trial's own error)
                        lost.append((i, exc))
                        continue
                    yield i, outcome
            finally:
                client.cancel(list(futures) + [data_future])
            if lost and rounds >= retries:
                for i, exc in sorted(lost, key=lambda pair: pair[0]):
                    yield i, TrialOutcome(error=f"{type(exc).__name__}: {exc}".replace("\n", " "), worker="dask")
                return
            rounds += bool(lost)
            pending = sorted(i for i, _ in lost)


def progress_bar(total: int, enabled: bool, description: str = "trials"):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=description, unit="trial", disable=not enabled, dynamic_ncols=True)


def map_values(function: Callable, data: dict, items: Sequence[tuple[dict, int]], *, backend: str = "sequential",
               n_workers: int | None = None, scheduler=None, retries: int = 2, progress: bool = False) -> list:
    """The values of ``function(data, config, seed)`` for every item, in the items' order.

    A trial that raises stops the run: the sequential backend lets the exception through, the others
    raise a GlassnetError that names the trial, its worker and the error. (The labs run their seeds
    through this.)
    """
    items = list(items)
    if backend == "sequential":
        check_backend(backend, n_workers)
        from threadpoolctl import threadpool_limits

        values = []
        with progress_bar(len(items), progress) as bar:
            for config, seed in items:
                with threadpool_limits(limits=1):
                    values.append(function(data, config, seed))
                bar.update()
        return values
    values = [None] * len(items)
    with progress_bar(len(items), progress) as bar:
        outcomes = map_trials(function, data, items, backend=backend, n_workers=n_workers, scheduler=scheduler,
                              retries=retries)
        for i, outcome in outcomes:
            if not outcome.ok:
                outcomes.close()
                config, seed = items[i]
                raise GlassnetError(f"trial {i} (config {config}, seed {seed}) failed on {outcome.worker}: "
                                    f"{outcome.error}\n{outcome.traceback}".rstrip())
            values[i] = outcome.value
            bar.update()
    return values


# ---------------------------------------------------------------------- data


def infer_output(Y) -> tuple[str, int]:
    """(output activation, n_out) for labels Y: 0/1 -> sigmoid; class labels or one-hot -> softmax; else linear."""
    Y = np.asarray(Y)
    whole = bool(np.all(np.isfinite(Y))) and bool(np.all(Y == np.round(Y)))
    if Y.shape[0] > 1:
        one_hot = whole and Y.min() >= 0 and Y.max() <= 1 and bool(np.all(Y.sum(axis=0) == 1))
        return ("softmax", Y.shape[0]) if one_hot else ("linear", Y.shape[0])
    if whole and Y.min() >= 0 and len(np.unique(Y)) <= 100:
        classes = int(Y.max()) + 1
        return ("sigmoid", 1) if classes <= 2 else ("softmax", classes)
    return "linear", 1


def prepare_data(X, Y, X_dev=None, Y_dev=None, X_test=None, Y_test=None, output: str | None = None,
                 n_out: int | None = None, image_shape=None, pipeline: dict | None = None) -> dict:
    """The dict every trial receives: the arrays (checked), the output activation, n_out and the metric.

    ``pipeline``: the networks' input pipeline, Network's input_scale, feature_names and class_names.
    """
    from .network import Network

    pipeline = dict(pipeline or {})
    unknown = sorted(set(pipeline) - {"input_scale", "feature_names", "class_names"})
    if unknown:
        raise HyperparameterError(f"pipeline takes input_scale, feature_names and class_names, got {unknown}")

    data = {"X": X, "Y": Y, "X_dev": X_dev, "Y_dev": Y_dev, "X_test": X_test, "Y_test": Y_test}
    if (X_dev is None) != (Y_dev is None) or (X_test is None) != (Y_test is None):
        raise HyperparameterError("pass X_dev with Y_dev and X_test with Y_test, or neither of a pair")
    n_x = np.shape(X)[0] if np.ndim(X) == 2 else 1
    n_y = np.shape(Y)[0] if np.ndim(Y) == 2 else 1
    shapes = Network([n_x, n_y], output_activation="linear", dtype="float64")  # shapes, ranks and finiteness
    for split, (Xs, Ys) in splits(data).items():
        suffix = "" if split == "train" else f"_{split}"
        checked = shapes.check_X(Xs, f"X{suffix}", raw=True)
        shapes.check_Y(Ys, checked.shape[1], f"Y{suffix}")
    if output is None:
        output, inferred = infer_output(Y)
    else:
        inferred = int(np.max(Y)) + 1 if output == "softmax" and n_y == 1 else n_y
    n_out = inferred if n_out is None else int(n_out)
    labels = Network([n_x, n_out], output_activation=output, dtype="float64")  # the labels fit the output
    for split, (Xs, Ys) in splits(data).items():
        labels.check_Y(Ys, np.shape(Xs)[1], "Y" if split == "train" else f"Y_{split}")
    return {**data, "output": output, "n_out": int(n_out), "metric": "rmse" if output == "linear" else "accuracy",
            "image_shape": tuple(image_shape) if image_shape is not None else None,
            "pipeline": {k: v for k, v in pipeline.items() if v is not None}}


def fingerprint(data: dict) -> str:
    """A short hash of the data set's arrays (shape, dtype and bytes): a rerun must see the same data."""
    digest = hashlib.sha1()
    for key in ("X", "Y", "X_dev", "Y_dev", "X_test", "Y_test"):
        if data.get(key) is not None:
            array = np.ascontiguousarray(data[key])
            digest.update(f"{key}{array.shape}{array.dtype.str}".encode())
            digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------------- the sweep


@dataclass
class Trial:
    index: int
    config: dict     # the swept settings only
    settings: dict   # every setting: the fixed ones updated with config
    seed: int
    id: str
    group: int       # which configuration (position in the list of configurations)


@dataclass
class SweepResult:
    """What a sweep measured: ``rows`` (one per trial, in order), ``summary`` (one per configuration,
    ranked), ``best`` ({"config", "seed", "row", "model"} or None) and the files it wrote in ``out``."""

    out: Path
    keys: list[str]
    rows: list[dict]
    summary: list[dict]
    rank_by: str
    best: dict | None = None
    ran: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    backend: str = "local"
    figures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def table(self, top: int = 10) -> str:
        """The ``top`` configurations of the summary as a text table."""
        metrics = [c for c in self.summary[0] if c.endswith("_median") and not c.startswith(("seconds", "best_"))] \
            if self.summary else []
        columns = ["rank", *self.keys, "seeds", "failed", *metrics]
        cells = [[_cell(row.get(c)) for c in columns] for row in self.summary[:top]]
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
        if len(self.summary) > top:
            lines.append(f"... {len(self.summary) - top} more configurations in {self.out / 'summary.csv'}")
        return "\n".join(lines)

    def report(self, top: int = 10) -> str:
        """What ran, the ``top`` configurations, notes and the best trial, as text."""
        head = (f"{len(self.summary)} configurations, {len(self.rows)} trials on {self.backend}: {self.ran} ran, "
                f"{self.skipped} were already done, {self.failed} failed ({self.seconds:.1f} s); ranked by the "
                f"median {self.rank_by.replace('_', ' ')}")
        parts = [head, self.table(top), *self.notes]
        if self.best is not None:
            parts.append(f"best: {_describe(self.best['config']) or 'the fixed settings'}, seed {self.best['seed']}"
                         + (f" -> {self.best['model']}" if self.best.get("model") else ""))
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.report()


def _cell(value) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4g}"
    return "" if value is None else str(value)


def _describe(config: dict) -> str:
    return ", ".join(f"{k}={format_value(v)}" for k, v in config.items())


def sweep(X, Y, *, X_dev=None, Y_dev=None, X_test=None, Y_test=None, grid: dict | None = None,
          random: dict | None = None, n_random: int = 0, random_seed: int = 0, seeds=5, out=None,
          backend: str = "local", n_workers: int | None = None, scheduler=None, retries: int = 2,
          output: str | None = None, n_out: int | None = None, image_shape=None, pipeline: dict | None = None,
          trial: Callable | None = None,
          save_best: bool = True, figures: bool = True, progress: bool = True, **settings) -> SweepResult:
    """Train every configuration of ``grid`` x ``random`` with every seed; write and return the results.

    X (n_x, m), Y (n_y, m): the training set, one column per example (likewise the optional dev and
    test sets; without a dev set, configurations are ranked by training data cost). ``settings``: the
    fixed Network/fit arguments (``SETTINGS`` lists them and their defaults: layers=[20, 7] are the
    hidden sizes, batch_size=None is full batch, early_stopping=PATIENCE). ``grid``: {setting:
    [values]}; ``random``: {setting: ("log", 1e-4, 1e-1) | ("uniform", a, b) | ("int", a, b) |
    ("choice", [values])}, drawn ``n_random`` times from ``random_seed``. ``seeds``: how many (0, 1,
    ...) or a list. ``backend``: "local" (processes on this machine), "dask" (``scheduler``: None for
    a LocalCluster of ``n_workers``, or an address, Client or cluster) or "sequential". ``output``:
    the output activation (default: sigmoid for 0/1 labels, softmax for classes, else linear) and
    ``n_out`` its units (default: from Y). ``pipeline``: {"input_scale", "feature_names", "class_names"}
    for every network (Network's arguments): X stays raw, each network scales it, and best_model.npz
    takes raw features and gives class names, as ``glassnet train``'s model does.
    ``trial``: a function (data, settings, seed) -> dict of the results columns, instead of
    ``train_trial``. ``out``: the folder (default runs/sweep-<time>); a rerun into it resumes.
    """
    started = time.perf_counter()
    check_backend(backend, n_workers)
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise HyperparameterError(f"retries must be an integer >= 0, got {retries!r}")
    base = check_settings(settings)
    configs = expand(grid, random, n_random, random_seed)
    keys = list(dict.fromkeys(k for c in configs for k in c))
    seed_list = check_seeds(seeds)
    data = prepare_data(X, Y, X_dev, Y_dev, X_test, Y_test, output=output, n_out=n_out, image_shape=image_shape,
                        pipeline=pipeline)
    trial_function = train_trial if trial is None else trial
    trials = _trials(configs, base, seed_list)
    out = Path(out) if out is not None else Path("runs") / f"sweep-{time.strftime('%Y%m%d-%H%M%S')}"
    out.mkdir(parents=True, exist_ok=True)
    _check_spec(out, {"keys": keys, "fixed": {k: v for k, v in base.items() if k not in keys},
                      "data": fingerprint(data), "pipeline": {k: str(v) for k, v in data["pipeline"].items()},
                      "output": data["output"], "trial": _function_name(trial_function)},
                {"grid": {k: list(map(format_value, vs)) for k, vs in (grid or {}).items()},
                 "random": {k: list(map(str, _check_distribution(k, v))) for k, v in (random or {}).items()},
                 "n_random": n_random, "random_seed": random_seed, "seeds": seed_list})
    metric_columns = [f"{split}_{m}" for split in splits(data) for m in ("data_cost", data["metric"])]
    columns = ["trial", "id", *keys, "seed", "status", *metric_columns, "best_epoch", "epochs_run", "seconds",
               "worker", "error"]
    results_path = out / "results.csv"
    previous = _read_rows(results_path, columns)
    done = {row["id"]: row for row in previous if row.get("status") == "ok"}
    pending = [t for t in trials if t.id not in done]
    rows = {t.id: _row(t, done[t.id], keys) for t in trials if t.id in done}
    if not results_path.exists():
        _write_rows(results_path, columns, [])
    outcomes = map_trials(trial_function, data, [(t.settings, t.seed) for t in pending], backend=backend,
                          n_workers=n_workers, scheduler=scheduler, retries=retries)
    failed = _record(outcomes, pending, rows, keys, out, columns, progress)
    ordered = [rows[t.id] for t in trials if t.id in rows]
    ids = {t.id for t in trials}
    others = [row for row in previous if row.get("id") not in ids and row.get("status") == "ok"]
    _write_rows(results_path, columns, [_csv_row(r) for r in ordered] + others)
    rank_by = "dev_data_cost" if data.get("X_dev") is not None else "train_data_cost"
    summary = _summarize(trials, configs, rows, keys, metric_columns, rank_by)
    _write_rows(out / "summary.csv", list(summary[0]) if summary else ["rank"],
                [_summary_csv(r, keys) for r in summary])
    result = SweepResult(out=out, keys=keys, rows=ordered, summary=summary, rank_by=rank_by, ran=len(pending),
                         skipped=len(trials) - len(pending), failed=failed, backend=backend)
    if len(others):
        result.notes.append(f"results.csv also keeps {len(others)} finished trials that this sweep no longer lists")
    if figures and keys:
        result.figures = _figures(out, keys, configs, trials, rows, data, rank_by)
    result.best = _best(summary, trials, rows, rank_by)
    if result.best is not None and save_best and trial is None:
        _save_best(out, result, data, base)
    result.seconds = time.perf_counter() - started
    return result


def _record(outcomes, pending: list, rows: dict, keys: list, out: Path, columns: list, progress: bool) -> int:
    """Append each finished trial to results.csv as it comes (a crash loses no finished trial), its
    traceback to errors.log when it failed; return how many failed."""
    failed = 0
    bar = progress_bar(len(pending), progress, f"sweep {out.name}")
    with open(out / "results.csv", "a", newline="") as handle, bar:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        for i, outcome in outcomes:
            t = pending[i]
            rows[t.id] = row = _outcome_row(t, outcome, keys)
            writer.writerow(_csv_row(row))
            handle.flush()
            if not outcome.ok:
                failed += 1
                with open(out / "errors.log", "a") as log:
                    log.write(f"== trial {t.index} ({_describe(t.config) or 'fixed settings'}, seed {t.seed}) on "
                              f"{outcome.worker}, {time.strftime('%Y-%m-%d %H:%M:%S')}\n"
                              f"{outcome.traceback or outcome.error}\n")
            bar.update()
            bar.set_postfix(failed=failed)
    return failed


def _function_name(function) -> str:
    inner = getattr(function, "func", function)  # functools.partial
    return f"{getattr(inner, '__module__', '?')}.{getattr(inner, '__qualname__', type(inner).__name__)}"


def _trials(configs: list, base: dict, seeds: list) -> list[Trial]:
    trials = []
    for group, config in enumerate(configs):
        settings = {**base, **config}
        for seed in seeds:
            text = json.dumps({"settings": settings, "seed": seed}, sort_keys=True)
            trials.append(Trial(len(trials), config, settings, seed, hashlib.sha1(text.encode()).hexdigest()[:12],
                                group))
    return trials


def _check_spec(out: Path, fixed: dict, varying: dict) -> None:
    """Refuse a folder whose sweep fixed other settings or used other data; else (re)write sweep.json."""
    path = out / "sweep.json"
    if path.exists():
        try:
            old = json.loads(path.read_text())
        except (OSError, ValueError):
            old = None
        if old is not None:
            stored = {k: old.get(k) for k in fixed}
            now = json.loads(json.dumps(fixed))
            if stored != now:
                diff = ", ".join(k for k in fixed if stored[k] != now[k])
                raise HyperparameterError(
                    f"{out} holds a sweep with other {diff}; a rerun resumes only the same sweep (grid values "
                    "and seeds may change): choose another out folder or delete this one"
                )
    _write_atomic(path, json.dumps({**fixed, **varying, "written": time.strftime("%Y-%m-%d %H:%M:%S")}, indent=1))


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _write_rows(path: Path, columns: list, rows: list) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    _write_atomic(path, buffer.getvalue())


def _read_rows(path: Path, columns: list) -> list[dict]:
    """The rows of an existing results.csv (a half-written last line is dropped); its columns must match."""
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames and list(reader.fieldnames) != columns:
            raise HyperparameterError(
                f"{path} has the columns {', '.join(reader.fieldnames)}, this sweep writes {', '.join(columns)}: "
                "it is another sweep; choose another out folder"
            )
        return [row for row in reader if None not in row.values() and row.get("status") in ("ok", "error")]


def _number(text):
    if text is None or text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def _row(t: Trial, stored: dict, keys: list) -> dict:
    """A row read back from results.csv, with this sweep's values (not their text) for the swept settings."""
    row = {k: _number(v) for k, v in stored.items() if k not in keys}
    row.update({"trial": t.index, "id": t.id, "seed": t.seed, "error": stored.get("error", ""),
                "worker": stored.get("worker", ""), "status": stored.get("status")})
    row.update(t.config)
    return row


def _outcome_row(t: Trial, outcome: TrialOutcome, keys: list) -> dict:
    row = {"trial": t.index, "id": t.id, **t.config, "seed": t.seed, "status": "ok" if outcome.ok else "error",
           "seconds": outcome.seconds, "worker": outcome.worker, "error": outcome.error}
    if outcome.ok:
        value = outcome.value
        if not isinstance(value, dict):
            row.update(status="error", error=f"TypeError: the trial function returned {type(value).__name__}, "
                                             "not a dict of results")
        else:
            row.update({k: v for k, v in value.items() if k not in row})
    return row


def _csv_row(row: dict) -> dict:
    text = {}
    for key, value in row.items():
        if isinstance(value, float | np.floating):
            text[key] = repr(float(value))  # the shortest text that reads back to the same float
        elif isinstance(value, list | tuple) or value is None:
            text[key] = "" if value is None else format_value(value)
        else:
            text[key] = str(value)
    return text


def _stats(values: list) -> tuple[float, float, float]:
    values = np.asarray([v for v in values if v is not None], dtype=float)
    if values.size == 0:
        return math.nan, math.nan, math.nan
    return float(np.median(values)), float(values.min()), float(values.max())


def _summarize(trials, configs, rows, keys, metric_columns, rank_by) -> list[dict]:
    summary = []
    for group, config in enumerate(configs):
        group_rows = [rows[t.id] for t in trials if t.group == group and t.id in rows]
        ok = [r for r in group_rows if r.get("status") == "ok"]
        entry = {**config, "seeds": len(ok), "failed": len(group_rows) - len(ok)}
        for column in [*metric_columns, "best_epoch", "seconds"]:
            median, low, high = _stats([r.get(column) for r in ok])
            entry[f"{column}_median"] = median
            if column in metric_columns:
                entry[f"{column}_min"], entry[f"{column}_max"] = low, high
        summary.append(entry)
    summary.sort(key=lambda e: (math.isnan(e[f"{rank_by}_median"]), e[f"{rank_by}_median"]))
    return [{"rank": i + 1, **entry} for i, entry in enumerate(summary)]


def _summary_csv(entry: dict, keys: list) -> dict:
    """Swept values as in results.csv; statistics to 6 significant digits (results.csv has them exactly)."""
    return {k: (format_value(v) if k in keys else f"{v:.6g}" if isinstance(v, float) else v)
            for k, v in entry.items()}


def _best(summary, trials, rows, rank_by) -> dict | None:
    if not summary or summary[0]["seeds"] == 0:
        return None
    config = {k: summary[0][k] for k in summary[0] if k in trials[0].config}
    candidates = [(rows[t.id][rank_by], t) for t in trials
                  if t.config == config and t.id in rows and rows[t.id].get("status") == "ok"]
    _, t = min(candidates, key=lambda pair: (pair[0], pair[1].seed))
    return {"config": config, "seed": t.seed, "id": t.id, "settings": t.settings, "row": rows[t.id], "model": None}


def _save_best(out: Path, result: SweepResult, data: dict, base: dict) -> None:
    """Retrain the best trial from (configuration, seed) alone and save it; check it gives the same numbers."""
    from threadpoolctl import threadpool_limits

    from .io import load_metadata, save

    best, path = result.best, out / "best_model.npz"
    if path.exists():
        try:
            if load_metadata(path).get("extra", {}).get("sweep_trial") == best["id"]:
                best["model"] = str(path)
                return
        except GlassnetError:
            pass
    with threadpool_limits(limits=1):
        net, _ = build_and_fit(data, best["settings"], best["seed"])
        measured = measure(net, data)
    same = all(measured[k] == best["row"].get(k) for k in measured)
    if not same:
        result.notes.append("note: the best trial retrained here gave other numbers than on its worker "
                            "(another CPU or BLAS kernel?); best_model.npz holds the retrained weights")
    save(net, path, sweep_trial=best["id"], sweep_config={k: format_value(v) for k, v in best["config"].items()},
         seed=best["seed"], settings=best["settings"], results=measured)
    best["model"] = str(path)


def _figures(out, keys, configs, trials, rows, data, rank_by) -> list[str]:
    """One figure per swept setting: the ranking split's accuracy (or rmse) against its values."""
    from .plots import new_figure

    split = rank_by.split("_", 1)[0]
    column = f"{split}_{data['metric']}"
    per_config = []
    for group, config in enumerate(configs):
        values = [rows[t.id].get(column) for t in trials if t.group == group and t.id in rows
                  and rows[t.id].get("status") == "ok"]
        per_config.append((config, values))
    paths = []
    for key in keys:
        distinct = sorted({json.dumps(c[key]): c[key] for c in configs}.values(), key=_sort_key)
        fig = new_figure(6.5, 4.2)
        ax = fig.add_subplot()
        others = [k for k in keys if k != key]
        groups = {}
        for config, values in per_config:
            label = _describe({k: config[k] for k in others})
            groups.setdefault(label, []).append((config[key], values))
        categorical = len(distinct) <= 12
        position = {json.dumps(v): i for i, v in enumerate(distinct)}
        if categorical and len(groups) > 6:
            # Too many lines to read: pool every trial at each value of this setting.
            pooled = {}
            for points in groups.values():
                for value, values in points:
                    pooled.setdefault(json.dumps(value), []).extend(values)
            groups = {"all other settings pooled": [(json.loads(k), v) for k, v in pooled.items()]}
        width = 0.3 / max(1, len(groups))
        for g, (label, points) in enumerate(groups.items()):
            xs, medians, lows, highs = [], [], [], []
            for value, values in sorted(points, key=lambda p: _sort_key(p[0])):
                median, low, high = _stats(values)
                if math.isnan(median):
                    continue
                x = position[json.dumps(value)] if categorical else float(value)
                xs.append(x + (g - (len(groups) - 1) / 2) * width if categorical else x)
                medians.append(median)
                lows.append(median - low)
                highs.append(high - median)
            if xs:
                ax.errorbar(xs, medians, yerr=[lows, highs], marker="o", capsize=3, linestyle="-" if categorical
                            else "none", label=label or None)
        if categorical:
            ax.set_xticks(range(len(distinct)), [format_value(v) for v in distinct])
        elif all(isinstance(v, int | float) and v > 0 for v in distinct) and max(distinct) / min(distinct) >= 100:
            ax.set_xscale("log")
        ax.set_xlabel(key)
        ax.set_ylabel(f"{split} {data['metric']}: median, min-max over seeds")
        ax.set_title(f"{split} {data['metric']} against {key}")
        ax.grid(alpha=0.3)
        if any(groups) and 1 < len(groups) <= 6:
            ax.legend(fontsize=7)
        path = out / f"{column}_{key}.png"
        fig.savefig(path)
        paths.append(str(path))
    return paths


__all__ = ["BACKENDS", "SETTINGS", "SweepResult", "TrialOutcome", "backend_options", "build_and_fit",
           "check_backend", "data_cost", "expand", "fingerprint", "infer_output", "map_trials", "map_values",
           "measure", "parse_grid", "parse_random", "prepare_data", "run_one", "sweep", "train_trial"]
