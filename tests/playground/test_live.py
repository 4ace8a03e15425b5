"""Live changes, the speed's clock and the find-the-bug quiz: in the session, and through the server's messages."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from glassnet.playground import quiz as quiz_module
from glassnet.playground.pace import MAX_SPEED, Pace
from glassnet.playground.protocol import ProtocolError
from glassnet.playground.session import Session

SMALL = {"points": 120, "layers": [4, 4], "activations": ["tanh", "tanh"], "keep_prob": [1.0, 1.0, 1.0]}


# ---------------------------------------------------------------------------------- the speed's clock
class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_the_pace_counts_epochs_due_by_the_clock():
    clock = Clock()
    pace = Pace(10, clock=clock)
    assert pace.due() == 0 and pace.wait() == pytest.approx(0.1)
    clock.now += 0.35
    assert pace.due() == 3
    pace.trained(3)
    assert pace.due() == 0 and pace.wait() == pytest.approx(0.05)
    clock.now += 60  # a machine far slower than asked: the debt is capped, not carried into a later speed
    assert pace.due() == 5  # at most half a second's worth
    pace.trained(5)
    assert pace.due() == 0
    pace.start(1)
    clock.now += 2.5
    assert pace.due() == 1  # 2 due, capped at one
    pace.start(MAX_SPEED)
    assert pace.unlimited and pace.due() > 10**6 and pace.wait() == 0.0


# ---------------------------------------------------------------------------------- live changes
def test_live_changes_keep_the_run_and_apply_to_the_model():
    s = Session()
    s.configure(SMALL)
    s.train_epochs(5)
    run, opt, theta = s.run_id, s.opt, s.net.parameters_to_vector().copy()
    entry = s.configure({"lr": 0.002})
    assert entry == {"epoch": 5, "changes": {"lr": [0.01, 0.002]}} and s.changes == [entry]
    assert (s.epoch, s.run_id, s.opt) == (5, run, opt) and opt.learning_rate == 0.002  # Adam's moments kept
    np.testing.assert_array_equal(s.net.parameters_to_vector(), theta)
    s.configure({"optimizer": "momentum", "l2": 0.3, "keep_prob": [1.0, 0.7, 0.9], "batch": 16})
    assert type(s.opt).__name__ == "Momentum" and s.opt.learning_rate == 0.002
    assert s.net.l2 == 0.3 and [layer.keep_prob for layer in s.net.layers] == [1.0, 0.7, 0.9]
    s.train_epochs(2)
    assert s.epoch == 7 and len(s.changes) == 2 and s.changes[1]["epoch"] == 5
    assert s.configure({"l2": 0.3}) == {}  # nothing changed: nothing happens
    assert s.configure({"layers": [5, 4]}) is None  # a shape changes: a new run
    assert (s.epoch, s.changes, s.run_id) == (0, [], run + 1)
    assert s.configure({"lr": 0.05}) is None and s.epoch == 0  # before the first epoch there is no run to keep


def test_a_diverged_run_is_restarted_by_a_change_not_continued():
    s = Session()
    s.configure({**SMALL, "lr": 10.0, "optimizer": "gd", "init": "random", "scale": 100.0})
    s.train_epochs(30)
    if s.stopped:
        assert s.configure({"lr": 0.01}) is None and s.epoch == 0 and not s.stopped


def test_the_state_and_frames_carry_the_changes():
    s = Session()
    s.configure(SMALL)
    s.train_epochs(3)
    s.configure({"lr": 0.003})
    state = s.state()
    assert state["changes"] == [{"epoch": 3, "changes": {"lr": [0.01, 0.003]}}] and state["epoch"] == 3
    json.dumps(state, allow_nan=False)


# ---------------------------------------------------------------------------------- find the bug
def test_the_quiz_hides_the_bug_until_it_is_answered(monkeypatch):
    monkeypatch.setattr(quiz_module, "choose", lambda pool, rng=None: ("no_l2", 2))
    s = Session()
    s.configure({**SMALL, "l2": 0.5})
    s.train_epochs(3)
    public = s.quiz_start()
    assert public["active"] and public["layers"] == 3 and "bug" not in public and "layer" not in public
    assert (s.net.bug, s.net.bug_layer) == ("no_l2", 2)
    check = s.gradient_check()
    assert check["failed"] and check["worst_block"] == "W2" and check["quiz"]
    assert check["bug"] is None and check["dormant"] is None and check["hints"] == [] and check["text"] == ""
    assert "no_l2" not in json.dumps(check) and "PlantedBug" not in json.dumps(check)
    wrong = s.quiz_answer(2, "dW")
    assert wrong["answer"] == {"layer": 2, "formula": "dW", "right": False, "layer_right": True,
                               "formula_right": False}
    assert "bug" not in wrong and wrong["active"] and wrong["tries"] == 1
    right = s.quiz_answer(2, "l2")
    assert right["answer"]["right"] and right["solved"] and not right["active"] and right["tries"] == 2
    assert (right["bug"], right["layer"], right["formula"]) == ("no_l2", 2, "l2")
    assert [h["code"] for h in right["hints"]] == ["l2_missing"] and right["hints"][0]["params"] == {"name": "W2"}
    assert "L2 term (l2/m)·W2 is missing" in right["text"]
    # the quiz is over: the bug stays until the learner leaves the quiz, and the check speaks freely again
    assert s.gradient_check()["hints"]
    assert s.quiz_stop() == {"type": "quiz", "active": False, "stopped": True} and s.net.bug == "none"
    with pytest.raises(ProtocolError) as info:
        s.quiz_answer(1, "db")
    assert info.value.code == "no_quiz"


def test_the_quiz_draws_every_kind_of_bug_and_checks_its_answers():
    s = Session()
    s.configure({**SMALL, "l2": 0.1, "keep_prob": [1.0, 0.8, 1.0]})
    kinds = set()
    for _ in range(60):
        s.quiz_start()
        kinds.add(s.quiz.bug)
        assert s.net.dormant_reason() is None  # only bugs that bite are hidden
    assert kinds == {"sign", "dW_no_m", "db_no_m", "db_axis", "no_l2", "dW_transposed", "no_keep_prob",
                     "g_prime_of_A"}
    with pytest.raises(ProtocolError):
        s.quiz_answer(4, "db")  # the network has 3 layers
    revealed = s.quiz_reveal()
    assert revealed["bug"] == s.quiz.bug and not revealed["active"] and not revealed["solved"]
    assert "text" in revealed and revealed["checked"] == 0


def test_a_change_of_setup_ends_the_quiz_and_says_its_answer(monkeypatch):
    monkeypatch.setattr(quiz_module, "choose", lambda pool, rng=None: ("no_l2", 1))
    s = Session()
    s.configure({**SMALL, "l2": 0.5})
    s.train_epochs(2)
    s.quiz_start()
    s.configure({"lr": 0.003})  # a live change the bug survives: the quiz goes on
    assert s.quiz is not None and s.quiz_ended is None
    s.configure({"l2": 0.0})  # the L2 term's bug switched off: the quiz ends, answered
    assert s.quiz is None and s.quiz_ended["ended"] == "dormant" and s.quiz_ended["bug"] == "no_l2"
    s.configure({"l2": 0.5})
    s.quiz_start()
    s.reset()  # the reset button: the same network shape, the bug hidden again in the fresh network
    assert s.quiz is not None and (s.net.bug, s.net.bug_layer) == ("no_l2", 1)
    s.configure({"layers": [3]})
    assert s.quiz is None and s.quiz_ended["ended"] == "setup" and s.net.bug == "none"
    s.quiz_start()
    assert s.plant("db_no_m")["bug"] == "db_no_m" and s.quiz is None  # planting by hand ends a quiz too


def test_a_network_without_hidden_layers_hides_an_output_bug():
    s = Session()
    s.configure({"layers": [], "points": 100})
    for _ in range(10):
        assert s.quiz_start()["layers"] == 1 and s.quiz.layer == 1
        assert s.quiz.bug in ("sign", "dW_no_m", "db_no_m", "dW_transposed")


# ---------------------------------------------------------------------------------- through the server
pytest.importorskip("starlette")
pytest.importorskip("httpx")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from glassnet.playground import create_app  # noqa: E402


def receive(ws, kind: str, limit: int = 400) -> dict:
    for _ in range(limit):
        msg = ws.receive_json()
        if msg["type"] == kind or (msg["type"] == "error" and kind != "frame"):
            return msg
    raise AssertionError(f"no {kind!r} message")


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(hosts=("testserver",))) as c:
        yield c


def test_messages_for_speed_live_changes_and_the_quiz(client):
    with client.websocket_connect("/ws") as ws:
        hello = receive(ws, "hello")
        assert hello["speed"] == 2 and 0 in hello["choices"]["speeds"] and "g_prime" in hello["choices"]["formulas"]
        assert hello["choices"]["race_optimizers"] == ["gd", "setup"]  # the page builds every menu from these
        state = receive(ws, "state")
        ws.send_json({"type": "speed", "epochs_per_second": 0})
        assert receive(ws, "speed") == {"type": "speed", "epochs_per_second": 0}
        for _ in range(3):
            ws.send_json({"type": "step"})
            receive(ws, "frame")
        ws.send_json({"type": "config", "config": {"lr": 0.003}})
        live = receive(ws, "live")
        assert live["change"] == {"epoch": 3, "changes": {"lr": [0.01, 0.003]}} and live["epoch"] == 3
        assert live["config"]["lr"] == 0.003 and live["changes"] == [live["change"]]
        frame = receive(ws, "frame")
        assert frame["run"] == state["run"] and frame["epoch"] == 3
        ws.send_json({"type": "quiz_answer", "layer": 1, "formula": "db"})
        assert receive(ws, "quiz")["code"] == "no_quiz"
        ws.send_json({"type": "quiz"})
        started = receive(ws, "quiz")
        assert started["active"] and "bug" not in started
        ws.send_json({"type": "gradcheck"})
        check = receive(ws, "gradcheck")
        assert check["quiz"] and check["bug"] is None and check["hints"] == []
        ws.send_json({"type": "quiz_reveal"})
        revealed = receive(ws, "quiz")
        assert not revealed["active"] and revealed["bug"] in quiz_module.FORMULA_OF and revealed["hints"]
        ws.send_json({"type": "config", "config": {"layers": [3]}})  # a new run: state, the quiz already over
        assert receive(ws, "state")["run"] == state["run"] + 1
        ws.send_json({"type": "race", "epochs": 2, "optimizer": "setup"})
        race = receive(ws, "race")
        assert race["optimizer"] == "setup" and race["learning_rate"] == 0.003
