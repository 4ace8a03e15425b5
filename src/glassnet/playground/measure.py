"""Measurements of the real server: frames and epochs per second at a speed, and memory per session.

Both start the server on a free port of 127.0.0.1 and talk to it over real WebSockets, as a page
does. ``glassnet playground --measure SECONDS`` prints both.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from .pace import DEFAULT_SPEED, MAX_SPEED
from .server import BackgroundServer


def _dumps(obj) -> str:
    return json.dumps(obj, separators=(",", ":"))


def _until(ws, kind: str) -> dict:
    while True:
        msg = json.loads(ws.recv(timeout=30))
        if msg["type"] == kind:
            return msg


def _open(server, layers, points):
    """A WebSocket session set up with [2, *layers, 1] on ``points`` circles points; (socket, its run id)."""
    from websockets.sync.client import connect

    ws = connect(f"ws://{server.host}:{server.port}/ws", max_size=None, ping_interval=None)
    state = _until(ws, "state")
    _until(ws, "frame")
    ws.send(_dumps({"type": "config", "config": {"layers": list(layers), "points": points, "data": "circles"}}))
    while True:  # "live" when that is the setup already, else a new run's "state" and its first frame
        msg = json.loads(ws.recv(timeout=30))
        if msg["type"] in ("state", "live"):
            break
    if msg["type"] == "state":
        state = msg
        _until(ws, "frame")
    return ws, state["run"]


def measure_frame_rate(seconds: float = 5.0, layers=(8, 8), points: int = 500,
                       epochs_per_second: int = DEFAULT_SPEED) -> dict:
    """Frames and epochs per second the real server sends while a [2, *layers, 1] network trains on ``points``
    points at ``epochs_per_second`` (0: as fast as it goes). Presses play, counts frames."""
    with BackgroundServer() as server:
        ws, run = _open(server, layers, points)
        with ws:
            ws.send(_dumps({"type": "speed", "epochs_per_second": epochs_per_second}))
            _until(ws, "speed")
            ws.send(_dumps({"type": "play"}))
            _until(ws, "status")
            frames, first, last, started = 0, None, None, time.perf_counter()
            while time.perf_counter() - started < seconds:
                msg = json.loads(ws.recv(timeout=30))
                if msg["type"] == "frame" and msg["run"] == run:
                    frames += 1
                    if first is None:
                        first, first_at = msg, time.perf_counter()
                    last, last_at = msg, time.perf_counter()
            elapsed = time.perf_counter() - started
            ws.send(_dumps({"type": "pause"}))
    epochs = (last["epoch"] - first["epoch"]) if last else 0
    span = (last_at - first_at) if last else 0.0  # from the first frame to the last: epochs between them
    return {"frames": frames, "seconds": elapsed, "frames_per_second": frames / elapsed, "epochs": epochs,
            "epochs_per_second": epochs / span if span else 0.0, "speed": epochs_per_second,
            "layer_dims": [2, *layers, 1],
            "points": points, "dev_accuracy": last["dev_acc"] if last else None}


def _resident_bytes() -> int | None:
    """This process's resident memory (Linux /proc; None elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    import os

    return pages * os.sysconf("SC_PAGE_SIZE")


def _train(ws, seconds: float) -> None:
    """Play at full speed for ``seconds``, reading every frame, then pause."""
    ws.send(_dumps({"type": "speed", "epochs_per_second": MAX_SPEED}))
    ws.send(_dumps({"type": "play"}))
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        ws.recv(timeout=30)
    ws.send(_dumps({"type": "pause"}))
    _until(ws, "status")


def measure_memory(sessions: int = 8, seconds: float = 1.0, layers=(8, 8), points: int = 500) -> dict:
    """The server's resident memory per session: ``sessions`` tabs open at once, each trained ``seconds`` at full
    speed in turn (its curves and caches filled), the growth over one open tab divided by the others."""
    with BackgroundServer() as server:
        first, _ = _open(server, layers, points)  # one tab first: the imports and the worker thread are not a tab's
        _train(first, seconds)
        before = _resident_bytes()
        sockets = [_open(server, layers, points)[0] for _ in range(sessions)]
        for ws in sockets:
            _train(ws, seconds)
        after = _resident_bytes()
        for ws in [first, *sockets]:
            ws.close()
    per = None if before is None else (after - before) / sessions
    return {"sessions": sessions, "bytes_per_session": per, "resident_before": before, "resident_after": after}
