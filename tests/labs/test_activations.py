import glassnet.labs as labs

from .honesty import check_honest


def test_activations_lab(tmp_path):
    result = labs.run("activations", out=tmp_path, quick=True, verbose=False)
    data = result.data
    zero = data["sigmoid"]["z"].index(0.0)
    assert data["sigmoid"]["g_prime"][zero] == 0.25
    assert data["tanh"]["g_prime"][zero] == 1.0
    ten = data["sigmoid"]["z"].index(10.0)
    assert data["sigmoid"]["g_prime"][ten] < 1e-4 and data["tanh"]["g_prime"][ten] < 1e-7
    assert data["leaky_relu(0.01)"]["g_prime"][0] == 0.01
    assert all(c.holds for c in result.claims)
    assert (tmp_path / "activations.png").stat().st_size > 0
    saved = check_honest(tmp_path)
    assert saved["n"]["seeds"] == 0 and all(c["test"].startswith("exact") for c in saved["claims"])
