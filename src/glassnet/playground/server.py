"""The playground's web server: one page, its static files, and one WebSocket per browser tab.

Starlette on uvicorn. ``GET /`` is the page, ``/static/...`` its scripts and styles (all inside the
package: the page loads nothing from the network), ``/ws`` the WebSocket. Each WebSocket gets its
own ``Session`` (network, data, optimizer); the page sends JSON messages (see ``protocol``) and
receives frames. Training runs in a per-connection asyncio task that hands each chunk of CPU work
(train the epochs the chosen speed has made due, at most about ``FRAME_TRAIN_SECONDS``, then compute
the frame) to a worker thread, so the event loop keeps answering other tabs and the pause button
while a network trains.

A malformed, unknown or oversized message gets an error frame and the session goes on. The
server binds to 127.0.0.1 unless told otherwise and accepts WebSockets only from its own page
(an Origin header, when present, must name the host the request was sent to). Every request,
page or WebSocket, must name this server in its Host header (``hosts.HostGuard``: 127.0.0.1,
localhost, [::1], the ``--host`` it was started on), against DNS rebinding; and no page may
frame the playground (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``), so a foreign page
cannot start sessions in a hidden frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import threading
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

import glassnet as gn

from . import protocol
from .hosts import HostGuard
from .pace import DEFAULT_SPEED, SPEEDS, Pace
from .protocol import ProtocolError
from .session import Session

STATIC = Path(__file__).resolve().parent / "static"
FRAME_TRAIN_SECONDS = 0.04  # training per frame; with the frame's own work about 20 frames a second
MIN_FRAME_PERIOD = 0.05  # at most 20 frames a second
UNIT_MAPS_PER_FRAME = 64  # above this many hidden units, unit maps are sent every few frames
MAX_SESSIONS = 16  # tabs served at once
WS_MAX_BYTES = 8 * protocol.MAX_MESSAGE_CHARS  # uvicorn closes a connection whose message is larger
HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; "
                                "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
                                "frame-ancestors 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

log = logging.getLogger("glassnet.playground")


def _dumps(obj) -> str:
    return json.dumps(obj, allow_nan=False, separators=(",", ":"))


class Connection:
    """One WebSocket and its Session: messages in, frames out, a training task while playing."""

    def __init__(self, websocket: WebSocket):
        self.ws = websocket
        self.session: Session | None = None
        self.work_lock = asyncio.Lock()  # one piece of CPU work on the session at a time
        self.send_lock = asyncio.Lock()
        self.running = False
        self.trainer: asyncio.Task | None = None
        self.racer: asyncio.Task | None = None
        self.frame_count = 0
        self.pace = Pace(DEFAULT_SPEED)

    # ------------------------------------------------------------------ plumbing
    async def send(self, message: dict) -> None:
        async with self.send_lock:
            await self.ws.send_text(_dumps(message))

    async def work(self, function, *args):
        """Run ``function(*args)`` on the session in a worker thread, one at a time."""
        async with self.work_lock:
            return await asyncio.to_thread(function, *args)

    def _units_due(self) -> bool:
        units = sum(self.session.config["layers"])
        every = max(1, -(-units // UNIT_MAPS_PER_FRAME))
        return self.frame_count % every == 0

    async def send_frame(self, frame: dict) -> None:
        frame["running"] = self.running
        self.frame_count += 1
        await self.send(frame)

    async def send_state(self) -> None:
        state = await self.work(self.session.state)
        state["running"] = self.running
        await self.send(state)
        await self.send_frame(await self.work(self.session.frame, True))

    # ------------------------------------------------------------------ main loop
    async def serve(self) -> None:
        self.session = await asyncio.to_thread(Session)
        await self.send({"type": "hello", "version": gn.__version__, "limits": protocol.LIMITS,
                         "choices": {"data": protocol.DATASETS, "activations": protocol.ACTIVATIONS,
                                     "init": protocol.INITIALIZERS, "optimizer": protocol.OPTIMIZERS,
                                     "bugs": protocol.BUGS, "formulas": protocol.FORMULAS, "speeds": SPEEDS,
                                     "race_optimizers": protocol.RACE_OPTIMIZERS},
                         "defaults": protocol.default_config(), "speed": self.pace.rate})
        await self.send_state()
        try:
            while True:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                await self.dispatch(message.get("text"), message.get("bytes"))
        finally:
            self.running = False
            for task in (self.trainer, self.racer):
                if task is not None:
                    task.cancel()

    async def dispatch(self, text, binary) -> None:
        request = None
        try:
            if text is None:
                raise ProtocolError("bad_json", f"binary messages are not accepted ({len(binary or b''):,} bytes); "
                                    "send JSON text")
            msg = protocol.parse(text)
            request = msg["type"]
            await getattr(self, "on_" + request)(msg)
        except ProtocolError as exc:
            await self.send(exc.frame(request))
        except gn.GlassnetError as exc:
            await self.send({"type": "error", "code": "glassnet", "field": None, "message": str(exc),
                             "params": {}, "request": request})
        except (WebSocketDisconnect, asyncio.CancelledError):
            raise
        except Exception as exc:  # a bug of ours: report it, keep the session
            log.error("playground: %s failed:\n%s", request, traceback.format_exc())
            with contextlib.suppress(Exception):  # the socket may be the thing that failed
                await self.send({"type": "error", "code": "internal", "field": None,
                                 "message": f"{type(exc).__name__}: {exc}"[:500], "params": {}, "request": request})

    # ------------------------------------------------------------------ training task
    async def _train_loop(self) -> None:
        try:
            self.pace.start()
            while self.running:
                started = time.perf_counter()
                due = self.pace.due()
                if due == 0:  # slower than a frame an epoch: sleep until the next epoch is due
                    await asyncio.sleep(min(self.pace.wait(), MIN_FRAME_PERIOD))
                    continue
                before = self.session.epoch
                frame = await self.work(self.session.tick, FRAME_TRAIN_SECONDS, self._units_due(), due)
                self.pace.trained(frame["epoch"] - before)
                if not self.running:
                    frame["running"] = False
                if self.session.stopped:
                    self.running = False
                await self.send_frame(frame)
                await asyncio.sleep(max(0.0, MIN_FRAME_PERIOD - (time.perf_counter() - started)))
        except (asyncio.CancelledError, WebSocketDisconnect):
            raise
        except Exception as exc:
            self.running = False
            log.error("playground: training failed:\n%s", traceback.format_exc())
            with contextlib.suppress(Exception):
                await self.send({"type": "error", "code": "internal", "field": None,
                                 "message": f"training stopped: {type(exc).__name__}: {exc}"[:500], "params": {},
                                 "request": "play"})

    async def _stop_training(self) -> None:
        self.running = False
        if self.trainer is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self.trainer
            self.trainer = None

    async def _stop_race(self) -> None:
        if self.racer is not None:
            self.racer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.racer
            self.racer = None

    async def _status(self) -> None:
        await self.send({"type": "status", "running": self.running, "epoch": self.session.epoch,
                         "run": self.session.run_id})

    # ------------------------------------------------------------------ messages
    async def on_config(self, msg: dict) -> None:
        if self.racer is not None and not self.racer.done():  # a new setup ends the race, and the page hears it
            await self._stop_race()
            await self.send({"type": "race_stopped"})
        await self._stop_race()
        change = await self.work(self.session.configure, msg["config"])
        if change is None:  # a new run
            await self.send_state()
        else:  # applied to the running model ({}: nothing changed)
            await self.send({"type": "live", "config": self.session.config, "change": change or None,
                             "changes": self.session.changes, "epoch": self.session.epoch})
            if not self.running:
                await self.send_frame(await self.work(self.session.frame, False))
        await self._quiz_ended()

    async def _quiz_ended(self) -> None:
        """A change of setup ended the quiz: say so (with the answer)."""
        ended, self.session.quiz_ended = self.session.quiz_ended, None
        if ended is not None:
            await self.send(ended)

    async def on_upload(self, msg: dict) -> None:
        await self._stop_race()
        await self.work(self.session.set_upload, msg["name"], msg["csv"])
        await self.send_state()

    async def on_play(self, msg: dict) -> None:
        await self._stop_race()
        if self.session.stopped:
            await self.send({"type": "error", "code": "diverged", "field": None, "params": {}, "request": "play",
                             "message": "the cost diverged (NaN or infinite); press reset, or lower the learning "
                                        "rate"})
            return
        if not self.running:
            self.running = True
            self.trainer = asyncio.create_task(self._train_loop())
        await self._status()

    async def on_speed(self, msg: dict) -> None:
        self.pace.start(msg["epochs_per_second"])  # counted from now: no debt or credit from the old speed
        await self.send({"type": "speed", "epochs_per_second": self.pace.rate})

    async def on_pause(self, msg: dict) -> None:
        await self._stop_training()
        await self._status()

    async def on_step(self, msg: dict) -> None:
        await self._stop_training()
        await self._stop_race()
        await self.work(self.session.train_epochs, 1)
        await self.send_frame(await self.work(self.session.frame, True))

    async def on_reset(self, msg: dict) -> None:
        await self._stop_training()
        await self._stop_race()
        await self.work(self.session.reset)
        await self.send_state()

    async def on_gradcheck(self, msg: dict) -> None:
        report = await self.work(self.session.gradient_check)
        await self.send(report)

    async def on_plant_bug(self, msg: dict) -> None:
        answer = await self.work(self.session.plant, msg["bug"])
        await self.send(answer)
        if not self.running:
            await self.send_frame(await self.work(self.session.frame, False))

    async def on_quiz(self, msg: dict) -> None:
        await self.send(await self.work(self.session.quiz_start))
        if not self.running:
            await self.send_frame(await self.work(self.session.frame, False))

    async def on_quiz_answer(self, msg: dict) -> None:
        await self.send(await self.work(self.session.quiz_answer, msg["layer"], msg["formula"]))

    async def on_quiz_reveal(self, msg: dict) -> None:
        await self.send(await self.work(self.session.quiz_reveal))

    async def on_quiz_stop(self, msg: dict) -> None:
        await self.send(await self.work(self.session.quiz_stop))
        if not self.running:
            await self.send_frame(await self.work(self.session.frame, False))

    async def on_race(self, msg: dict) -> None:
        await self._stop_training()
        await self._stop_race()
        await self._status()
        first = await self.work(self.session.race_start, msg["epochs"], msg["optimizer"])
        await self.send(first)
        self.racer = asyncio.create_task(self._race_loop())

    async def _race_loop(self) -> None:
        try:
            while True:
                started = time.perf_counter()
                frame = await self.work(self.session.race_tick, FRAME_TRAIN_SECONDS)
                await self.send(frame)
                if frame["done"]:
                    break
                await asyncio.sleep(max(0.0, MIN_FRAME_PERIOD - (time.perf_counter() - started)))
        except (asyncio.CancelledError, WebSocketDisconnect):
            raise
        except Exception as exc:
            log.error("playground: race failed:\n%s", traceback.format_exc())
            with contextlib.suppress(Exception):
                await self.send({"type": "error", "code": "internal", "field": None, "params": {}, "request": "race",
                                 "message": f"race stopped: {type(exc).__name__}: {exc}"[:500]})

    async def on_race_stop(self, msg: dict) -> None:
        await self._stop_race()
        await self.send({"type": "race_stopped"})

    async def on_export(self, msg: dict) -> None:
        await self.send(await self.work(self.session.export))


# ---------------------------------------------------------------------------------- the app
def _same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if not origin:
        return True  # not a browser page (a test client, a script)
    return urlsplit(origin).netloc.lower() == (websocket.headers.get("host") or "").lower()


def create_app(hosts=()) -> Starlette:
    """The playground as an ASGI application; ``hosts``: names it answers to besides 127.0.0.1, localhost and
    [::1] (the address it was started on; see ``HostGuard``)."""
    active = {"sessions": 0}

    async def index(request):
        return FileResponse(STATIC / "index.html", headers=HEADERS)

    async def health(request):
        return JSONResponse({"ok": True, "sessions": active["sessions"], "version": gn.__version__})

    async def websocket_endpoint(websocket: WebSocket):
        if not _same_origin(websocket):
            await websocket.close(code=1008)
            return
        if active["sessions"] >= MAX_SESSIONS:
            await websocket.accept()
            await websocket.send_text(_dumps({"type": "error", "code": "too_many_sessions", "field": None,
                                              "params": {"limit": MAX_SESSIONS}, "request": None,
                                              "message": f"{MAX_SESSIONS} tabs are open already; close one"}))
            await websocket.close(code=1013)
            return
        await websocket.accept()
        active["sessions"] += 1
        try:
            await Connection(websocket).serve()
        except WebSocketDisconnect:
            pass
        finally:
            active["sessions"] -= 1

    routes = [
        Route("/", index),
        Route("/healthz", health),
        WebSocketRoute("/ws", websocket_endpoint),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(HostGuard, hosts=tuple(hosts), headers=HEADERS)])


# ---------------------------------------------------------------------------------- running it
def _uvicorn_config(host: str, port: int, log_level: str):
    import uvicorn

    return uvicorn.Config(create_app(hosts=(host,)), host=host, port=port, log_level=log_level,
                          ws_max_size=WS_MAX_BYTES, lifespan="off", access_log=False)


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False, log_level: str = "warning") -> int:
    """Run the playground until Ctrl+C."""
    import uvicorn

    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"glassnet playground: listening on {host}: anyone who can reach this machine can use the page "
              "and its CPU")
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    print(f"glassnet playground: {url}  (Ctrl+C stops it)", flush=True)
    if open_browser:
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.Server(_uvicorn_config(host, port, log_level)).run()
    return 0


class BackgroundServer:
    """The playground on a free port of 127.0.0.1 in a background thread (for tests and measurements).

    with BackgroundServer() as server: ... server.url ...
    """

    def __init__(self, host: str = "127.0.0.1", log_level: str = "warning", port: int = 0):
        """``port`` 0: a free one (a test restarting "the same server" passes the port of the last one)."""
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.host, self.port = self.sock.getsockname()[:2]
        self.url = f"http://{self.host}:{self.port}/"
        self.server = uvicorn.Server(_uvicorn_config(self.host, self.port, log_level))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> BackgroundServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the playground server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
