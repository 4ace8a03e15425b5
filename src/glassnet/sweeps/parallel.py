"""The general parallel runner: ``function(data, config, seed)`` for many (config, seed) items.

A sweep's trials and a lab's repeated trainings run through here. Every item runs through
``run_one``: under one BLAS thread, its exception caught into a ``TrialOutcome``, so an item gives
the same numbers, bit for bit, in this process, in a local worker process or on a Dask worker of
the same kind of machine.

Backends (``backend=``):

* ``"local"``: worker processes on this machine (joblib's loky), one per core unless ``n_workers``
  says otherwise. The data goes to each worker once, when it starts.
* ``"dask"``: a ``dask.distributed`` cluster. ``scheduler=None`` starts a LocalCluster of
  ``n_workers`` processes (one thread each) and closes it after; ``scheduler=`` an address
  (``"tcp://host:8786"``), a ``Client`` or a cluster object uses that cluster. The data is scattered
  to the workers once (broadcast); each item sends only its config and seed.
* ``"sequential"``: one item after another in this process.

A worker that dies takes its running items with it; they run again: Dask's scheduler reschedules
them (up to its ``distributed.scheduler.allowed-failures``), the local backend starts fresh worker
processes (``retries`` times). The items still missing after that come back as errors.

``dask`` and ``joblib`` are imported only when their backend runs: ``pip install "glassnet[sweeps]"``.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ..errors import GlassnetError, HyperparameterError, unknown_name
from .workers import (
    ignore_interrupts,
    interrupts_ignored_by_children,
    levels_restored,
    quiet_dask_worker,
    quiet_logs,
    quiet_pool_threads,
    watch_parent,
)

INSTALL_HINT = 'pip install "glassnet[sweeps]"'
BACKENDS = ("local", "dask", "sequential")
ONE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass
class TrialOutcome:
    """What came back from one item: its value, or the error it raised; seconds and the worker."""

    value: object = None
    error: str = ""
    traceback: str = ""
    seconds: float = 0.0
    worker: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def run_one(function: Callable, data, config, seed: int) -> TrialOutcome:
    """``function(data, config, seed)`` under one BLAS thread; an exception becomes the outcome's error.

    Every backend runs items through this function, so an item computes the same numbers wherever it
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


# ---------------------------------------------------------------------- choosing a backend

_INSTALLED: dict[str, object] = {}  # the data in a local worker process, by token (set once, at its start)


def _install_data(token: str, data, parent: int | None = None) -> None:
    """A local worker's initializer: the data, SIGINT ignored, and a watchdog that ends it with ``parent``."""
    ignore_interrupts()
    if parent is not None:
        watch_parent(parent)
    _INSTALLED.clear()
    _INSTALLED[token] = data


def _run_installed(function: Callable, token: str, config, seed: int) -> TrialOutcome:
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


def check_retries(retries) -> int:
    """``retries``: an integer >= 0."""
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise HyperparameterError(f"retries must be an integer >= 0, got {retries!r}")
    return retries


def backend_options(dask: str | None = None, scheduler=None, jobs: int | None = None,
                    default: str = "local") -> tuple[str, int | None, object]:
    """(backend, n_workers, scheduler) from the CLI's --dask local[:N], --scheduler ADDR and --jobs N.

    --jobs 1 means one item after another in this process.
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


# ---------------------------------------------------------------------- running the items


def map_trials(function: Callable, data, items: Sequence[tuple], *, backend: str = "local",
               n_workers: int | None = None, scheduler=None, retries: int = 2) -> Iterator[tuple[int, TrialOutcome]]:
    """Run ``function(data, config, seed)`` for each (config, seed) of ``items``; yield (position, outcome)
    as items finish (in any order). ``data`` goes to each worker once. See the module's docstring."""
    check_backend(backend, n_workers)
    check_retries(retries)
    items = list(items)
    if not items:
        return iter(())
    if backend == "sequential":
        return ((i, run_one(function, data, config, seed)) for i, (config, seed) in enumerate(items))
    if backend == "local":
        return _local_outcomes(function, data, items, min(n_workers or cpu_count(), len(items)), retries)
    return _dask_outcomes(function, data, items, n_workers, scheduler, retries)


def _local_outcomes(function, data, items, n_workers, retries) -> Iterator[tuple[int, TrialOutcome]]:
    import concurrent.futures

    from joblib.externals.loky import ProcessPoolExecutor

    pending, restarts = list(range(len(items))), 0
    while pending:
        token = uuid.uuid4().hex
        # The data travels once per worker process, as the initializer's argument; one BLAS thread
        # per process (set before NumPy loads), so N workers use N cores.
        lost, executor = [], None
        try:
            with interrupts_ignored_by_children():  # the workers start here (at the first submits)
                executor = ProcessPoolExecutor(max_workers=min(n_workers, len(pending)), initializer=_install_data,
                                               initargs=(token, data, os.getpid()), env=ONE_THREAD_ENV)
                futures = {executor.submit(_run_installed, function, token, *items[i]): i for i in pending}
            for future in concurrent.futures.as_completed(futures):
                try:
                    outcome = future.result()
                except concurrent.futures.BrokenExecutor:  # a worker process died: the pool is gone
                    lost.append(futures[future])
                    continue
                yield futures[future], outcome
        finally:
            if executor is not None:
                with quiet_pool_threads():  # a pool stopped early: loky's manager thread races the shutdown
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
        client = stack.enter_context(distributed.Client(cluster))
        client.run(quiet_dask_worker)
        return client
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
        stack.enter_context(levels_restored())
        try:
            client = _dask_client(distributed, scheduler, n_workers, stack)
            yield from _dask_rounds(distributed, client, function, data, items, retries)
        except BaseException:  # Ctrl-C, or the caller stopped early: the cluster closes without a word
            quiet_logs()
            raise


def _dask_rounds(distributed, client, function, data, items, retries) -> Iterator[tuple[int, TrialOutcome]]:
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


def map_values(function: Callable, data, items: Sequence[tuple], *, backend: str = "sequential",
               n_workers: int | None = None, scheduler=None, retries: int = 2, progress: bool = False) -> list:
    """The values of ``function(data, config, seed)`` for every item, in the items' order.

    A trial that raises stops the run: the sequential backend lets the exception through, the others
    raise a GlassnetError that names the trial, its worker and the error. (The labs run their seeds
    through this.)
    """
    items = list(items)
    if backend == "sequential":
        return _sequential_values(function, data, items, n_workers, progress)
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


def _sequential_values(function: Callable, data, items: list, n_workers, progress: bool) -> list:
    """In this process, one BLAS thread, exceptions let through (a debugger sees them where they happen)."""
    from threadpoolctl import threadpool_limits

    check_backend("sequential", n_workers)
    values = []
    with progress_bar(len(items), progress) as bar:
        for config, seed in items:
            with threadpool_limits(limits=1):
                values.append(function(data, config, seed))
            bar.update()
    return values


__all__ = ["BACKENDS", "INSTALL_HINT", "TrialOutcome", "backend_options", "check_backend", "check_retries",
           "cpu_count", "import_distributed", "map_trials", "map_values", "progress_bar", "run_one"]
