"""The playground's server through Starlette's test client: the page, every control message, malformed
messages, two sessions at once, export and re-load of the model."""

from __future__ import annotations

import base64
import json
import warnings

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2 but still runs its test client on httpx
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

import glassnet as gn  # noqa: E402
from glassnet.playground import create_app, protocol  # noqa: E402

SMALL = {"points": 120, "layers": [4, 4], "activations": ["relu", "relu"], "keep_prob": [1.0, 1.0, 1.0]}


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(hosts=("testserver",))) as c:  # the test client's Host, as --host would give it
        yield c


def receive(ws, kind: str, limit: int = 400) -> dict:
    """The next message of ``kind`` (frames of other kinds in between are skipped); errors are returned."""
    for _ in range(limit):
        msg = ws.receive_json()
        if msg["type"] == kind or (msg["type"] == "error" and kind != "frame"):
            return msg
    raise AssertionError(f"no {kind!r} message")


def open_session(ws, config=SMALL) -> dict:
    hello = receive(ws, "hello")
    assert hello["limits"]["max_units"] == protocol.MAX_UNITS
    receive(ws, "state")
    receive(ws, "frame")
    ws.send_json({"type": "speed", "epochs_per_second": 0})  # as fast as it goes: the tests need not watch
    assert receive(ws, "speed")["epochs_per_second"] == 0
    ws.send_json({"type": "config", "config": config})
    state = receive(ws, "state")
    assert state["type"] == "state"
    frame = receive(ws, "frame")
    assert frame["run"] == state["run"] and frame["epoch"] == 0
    return state


def still_alive(ws) -> None:
    ws.send_json({"type": "step"})
    frame = receive(ws, "frame")
    assert frame["epoch"] >= 1


# ---------------------------------------------------------------------------------- HTTP


def test_the_page_and_its_files(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for src in ("/static/app.js", "/static/i18n.js", "/static/style.css"):
        assert f'"{src}"' in page.text
        response = client.get(src)
        assert response.status_code == 200 and len(response.text) > 1000
    assert "http://" not in page.text.replace("http://www.w3.org", "") and "https://" not in page.text  # no CDN
    assert client.get("/static/../server.py").status_code == 404
    assert client.get("/healthz").json()["ok"] is True


# ---------------------------------------------------------------------------------- control messages


def test_config_every_field(client):
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        changes = {"data": "moons", "points": 100, "noise": 0.4, "split": 0.5, "layers": [3, 5, 2],
                   "activations": ["tanh", "sigmoid", "leaky_relu"], "init": "xavier", "scale": 2.0,
                   "keep_prob": [0.9, 0.8, 1.0, 0.7], "l2": 0.3, "optimizer": "rmsprop", "lr": 0.003,
                   "batch": 0, "normalize": False, "seed": 12}
        ws.send_json({"type": "config", "config": changes})
        state = receive(ws, "state")
        assert state["config"] == {**state["config"], **changes}
        assert len(state["train"]["x"]) == 50 and len(state["dev"]["x"]) == 50
        frame = receive(ws, "frame")
        assert [len(units) for units in frame["units"]] == [3, 5, 2]
        for data in ("circles", "flower", "spirals", "xor", "blobs"):
            ws.send_json({"type": "config", "config": {"data": data}})
            assert receive(ws, "state")["config"]["data"] == data


def test_play_pause_step_reset(client):
    with client.websocket_connect("/ws") as ws:
        state = open_session(ws)
        ws.send_json({"type": "play"})
        assert receive(ws, "status")["running"] is True
        epochs = [receive(ws, "frame")["epoch"] for _ in range(3)]
        assert epochs == sorted(epochs) and epochs[-1] > 0
        ws.send_json({"type": "pause"})
        status = receive(ws, "status")
        assert status["running"] is False
        paused_at = status["epoch"]
        ws.send_json({"type": "step"})
        frame = receive(ws, "frame")
        assert frame["epoch"] == paused_at + 1 and frame["running"] is False
        ws.send_json({"type": "reset"})
        reset = receive(ws, "state")
        assert reset["run"] > state["run"]
        assert receive(ws, "frame")["epoch"] == 0


def test_upload(client):
    rows = "x1,x2,label\n" + "\n".join(f"{i / 10},{(i * 7 % 11) / 10},{'a' if i % 3 else 'b'}" for i in range(40))
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_json({"type": "upload", "name": "mine.csv", "csv": rows})
        state = receive(ws, "state")
        assert state["config"]["data"] == "upload"
        assert state["upload"] == {"name": "mine.csv", "classes": ["a", "b"], "points": 40}
        assert len(state["train"]["x"]) + len(state["dev"]["x"]) == 40
        ws.send_json({"type": "upload", "name": "bad.csv", "csv": "x,y\n1,2\n"})
        error = receive(ws, "state")
        assert error["type"] == "error" and error["code"] in ("bad_csv", "too_few_points")
        ws.send_json({"type": "config", "config": {"split": 0.5}})
        assert receive(ws, "state")["config"]["data"] == "upload"  # the upload stays with the session


def test_gradient_check_and_planted_bug(client):
    with client.websocket_connect("/ws") as ws:
        open_session(ws, {**SMALL, "l2": 0.5})
        ws.send_json({"type": "gradcheck"})
        report = receive(ws, "gradcheck")
        assert report["passed"] is True and report["verdict"] == "correct" and report["difference"] < 1e-7
        assert report["worst_block"] in {"W1", "b1", "W2", "b2", "W3", "b3"} and report["examples"] == 32
        ws.send_json({"type": "plant_bug", "bug": "no_l2"})
        answer = receive(ws, "bug")
        assert answer == {"type": "bug", "bug": "no_l2", "dormant": None}
        ws.send_json({"type": "gradcheck"})
        report = receive(ws, "gradcheck")
        assert report["passed"] is False and report["verdict"] in ("suspicious", "likely a bug")
        assert report["worst_block"].startswith("W") and report["bug"] == "no_l2"
        ws.send_json({"type": "config", "config": {"keep_prob": [1.0, 0.6, 0.6]}})
        receive(ws, "state")
        ws.send_json({"type": "plant_bug", "bug": "no_keep_prob"})
        receive(ws, "bug")
        ws.send_json({"type": "gradcheck"})
        report = receive(ws, "gradcheck")
        assert report["passed"] is False and report["dropout"] == "fixed"
        ws.send_json({"type": "plant_bug", "bug": "none"})
        receive(ws, "bug")
        ws.send_json({"type": "gradcheck"})
        assert receive(ws, "gradcheck")["passed"] is True


def test_initialization_race(client):
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_json({"type": "race", "epochs": 3})
        frame = receive(ws, "race")
        while not frame["done"]:
            frame = receive(ws, "race")
        assert [lane["epoch"] for lane in frame["lanes"]] == [3, 3, 3]
        ws.send_json({"type": "race", "epochs": 5000})
        receive(ws, "race")
        ws.send_json({"type": "race_stop"})
        receive(ws, "race_stopped")
        still_alive(ws)


def test_export_and_reload(client, tmp_path):
    with client.websocket_connect("/ws") as ws:
        state = open_session(ws)
        for _ in range(2):
            ws.send_json({"type": "step"})
            receive(ws, "frame")
        ws.send_json({"type": "config", "config": {"lr": 0.003}})  # changed between epochs 2 and 3
        receive(ws, "live")
        assert receive(ws, "frame")["epoch"] == 2  # the frame of the changed model (paused: sent at once)
        ws.send_json({"type": "step"})
        frame = receive(ws, "frame")
        ws.send_json({"type": "export"})
        export = receive(ws, "export")
    path = tmp_path / export["model_name"]
    path.write_bytes(base64.b64decode(export["model"]))
    net = gn.load(path)
    assert net.layer_dims == [2, 4, 4, 1]
    meta = gn.load_metadata(path)
    assert meta["extra"]["epochs"] == frame["epoch"] == 3 and meta["extra"]["playground"]["layers"] == [4, 4]
    assert meta["extra"]["live_changes"] == [{"epoch": 2, "changes": {"lr": [0.01, 0.003]}}]
    # the reloaded model draws the same decision boundary as the session's last frame
    x0, x1, y0, y1 = state["extent"]
    grid = np.vstack([g.ravel() for g in np.meshgrid(np.linspace(x0, x1, 64), np.linspace(y1, y0, 64))])
    drawn = np.frombuffer(base64.b64decode(frame["boundary"]), dtype=np.uint8)
    assert np.abs(np.rint(net.predict_proba(grid)[0] * 255) - drawn).max() <= 1
    assert "spec = gn.RunSpec.from_dict({" in export["script"] and "EPOCHS = 3" in export["script"]
    assert ("# after epoch 2: learning rate 0.01 -> 0.003\nspec = spec.replace(learning_rate=0.003)\n"
            "optimizer.learning_rate = spec.learning_rate") in export["script"]


# ---------------------------------------------------------------------------------- malformed messages


@pytest.mark.parametrize("text, code", [
    ("hello", "bad_json"),
    ("[]", "not_object"),
    ('{"type": "launch"}', "unknown_type"),
    ('{"type": "play", "extra": 1}', "unknown_field"),
    ('{"type": "config", "config": {"lr": -1}}', "out_of_range"),
    ('{"type": "config", "config": {"layers": [64]}}', "out_of_range"),
    ('{"type": "config", "config": {"layers": [8, 8, 8, 8, 8, 8, 8, 8, 8]}}', "out_of_range"),
    ('{"type": "config", "config": {"lr": Infinity}}', "bad_json"),
    ('{"type": "config", "config": {"activations": ["relu", "exp"]}}', "bad_choice"),
    ('{"type": "config", "config": {"data": "upload"}}', "no_upload"),
    ('{"type": "config", "config": {"sneaky": "__import__"}}', "unknown_field"),
    ('{"type": "plant_bug", "bug": 1}', "bad_choice"),
    ('{"type": "upload", "name": "x.csv", "csv": "1,2,3\\n"}', "too_few_points"),
])
def test_malformed_messages_get_an_error_frame_and_the_session_lives(client, text, code):
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_text(text)
        error = receive(ws, "error")
        assert error["type"] == "error" and error["code"] == code and error["message"]
        still_alive(ws)


def test_oversized_and_binary_messages(client):
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_text(json.dumps({"type": "upload", "name": "big.csv", "csv": "1,2,0\n" * 200_000}))
        assert receive(ws, "error")["code"] == "too_large"
        ws.send_bytes(b"\x00" * 100)
        assert receive(ws, "error")["code"] == "bad_json"
        rows = "\n".join(f"{i},{i},{i % 2}" for i in range(protocol.MAX_UPLOAD_POINTS + 1))
        ws.send_json({"type": "upload", "name": "many.csv", "csv": rows})
        assert receive(ws, "error")["code"] == "too_many_points"
        still_alive(ws)


def test_foreign_origin_is_refused(client):
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect), \
            client.websocket_connect("/ws", headers={"origin": "http://evil.example"}) as ws:
        ws.receive_json()


@pytest.fixture(scope="module")
def local():
    """The playground as `glassnet playground` serves it on 127.0.0.1: no extra host names."""
    with TestClient(create_app(), base_url="http://127.0.0.1:8765") as c:
        yield c


def test_dns_rebinding_is_refused_for_pages_and_websockets(local):
    """A foreign name that resolves to 127.0.0.1 (DNS rebinding) gets neither the page nor a session, even with an
    Origin that agrees with its Host; the server's own names do, with any port."""
    from starlette.websockets import WebSocketDisconnect

    evil = {"host": "evil.example:8765", "origin": "http://evil.example:8765"}
    for path in ("/", "/static/app.js", "/healthz"):
        response = local.get(path, headers={"host": "evil.example:8765"})
        assert response.status_code == 403 and "DNS rebinding" in response.text, path
    with pytest.raises(WebSocketDisconnect) as refused, local.websocket_connect("/ws", headers=evil) as ws:
        ws.receive_json()
    assert refused.value.code == 1008
    for host in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765", "LOCALHOST", "127.0.0.1"):
        assert local.get("/", headers={"host": host}).status_code == 200, host
        origin = {"host": host, "origin": f"http://{host}"}
        with local.websocket_connect("/ws", headers=origin) as ws:
            assert receive(ws, "hello")["type"] == "hello"
    for host in ("testserver", "127.0.0.1.evil.example", "localhost.evil.example:8765", "evil.example"):
        assert local.get("/", headers={"host": host}).status_code == 403, host


def test_the_host_it_was_started_on_and_every_interface():
    from glassnet.playground.hosts import HostGuard, host_name

    assert host_name("[::1]:8765") == "::1" and host_name("LocalHost.:80") == "localhost"
    assert host_name("::1") == "::1" and host_name("10.0.0.5:8765") == "10.0.0.5"
    named = HostGuard(None, hosts=("mybox.lan",))
    assert named.allows("mybox.lan:8765") and named.allows("127.0.0.2") and not named.allows("10.0.0.5:8765")
    assert not named.allows("evil.example") and not named.allows("")
    everywhere = HostGuard(None, hosts=("0.0.0.0",))  # an IP names no foreign site: rebinding needs a domain
    assert everywhere.allows("10.0.0.5:8765") and everywhere.allows("[fe80::1]:8765")
    assert not everywhere.allows("evil.example:8765")


def test_no_page_may_frame_the_playground(local):
    for path in ("/", "/static/app.js", "/healthz"):
        headers = local.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["x-frame-options"] == "DENY", path


# ---------------------------------------------------------------------------------- two sessions


def test_two_sessions_at_once_are_isolated(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        open_session(a, {**SMALL, "layers": [3], "activations": ["tanh"], "keep_prob": [1.0, 1.0]})
        open_session(b, {**SMALL, "data": "xor", "layers": [5, 5]})
        a.send_json({"type": "play"})
        b.send_json({"type": "play"})
        receive(a, "status")
        receive(b, "status")
        fa, fb = receive(a, "frame"), receive(b, "frame")
        assert [len(u) for u in fa["units"]] == [3] and [len(u) for u in fb["units"]] == [5, 5]
        a.send_json({"type": "pause"})
        assert receive(a, "status")["running"] is False
        e1 = receive(b, "frame")["epoch"]
        e2 = receive(b, "frame")["epoch"]
        assert e2 > e1  # b trains on while a is paused
        b.send_json({"type": "plant_bug", "bug": "db_no_m"})
        receive(b, "bug")
        a.send_json({"type": "gradcheck"})
        assert receive(a, "gradcheck")["passed"] is True  # b's bug is b's alone
        b.send_json({"type": "pause"})
        receive(b, "status")
