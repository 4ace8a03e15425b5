"""glassnet.validation: the one set of number and true/false checks (the CLI, sklearn and the playground wrap them)."""

import math

import numpy as np
import pytest

from glassnet.errors import HyperparameterError, HyperparameterTypeError
from glassnet.playground import protocol
from glassnet.validation import check_bool, check_int, check_number


@pytest.mark.parametrize("value", [0, 1, 0.5, np.float32(0.25), np.int64(1)])
def test_check_number_accepts_reals_in_the_interval(value):
    assert check_number(value, "x", low=0.0, high=1.0) == float(value)
    assert isinstance(check_number(value, "x", low=0.0, high=1.0), float)


@pytest.mark.parametrize("value, kwargs", [
    (0.0, {"low": 0.0, "low_open": True}),
    (1.0, {"high": 1.0, "high_open": True}),
    (-1, {"low": 0.0}),
    (math.nan, {}),
    (math.inf, {}),
    (10**400, {"high": 5.0}),  # beyond float's range: refused, not an OverflowError
    (-(10**400), {}),
])
def test_check_number_refuses_out_of_range_with_a_value_error(value, kwargs):
    with pytest.raises(HyperparameterError) as info:
        check_number(value, "x", **kwargs)
    assert not isinstance(info.value, HyperparameterTypeError)
    assert "x must be a number in" in str(info.value)


@pytest.mark.parametrize("value", ["1", None, [1], True, 1j])
def test_check_number_refuses_non_numbers_with_a_type_error(value):
    with pytest.raises(HyperparameterTypeError):
        check_number(value, "x")


def test_check_number_names_the_interval_and_the_hint():
    with pytest.raises(HyperparameterError, match=r"lr must be a number in \(0.0, 10.0\], got -1; try 0.01"):
        check_number(-1, "lr", low=0.0, high=10.0, low_open=True, hint="try 0.01")


def test_check_int_bounds_and_types():
    assert check_int(np.int32(3), "n", low=0, high=3) == 3
    with pytest.raises(HyperparameterError, match=r"n must be an integer in \[0, 3\], got 4"):
        check_int(4, "n", low=0, high=3)
    with pytest.raises(HyperparameterTypeError, match=r"use int\(2.0\)"):
        check_int(2.0, "n")
    for bad in (True, "2", 2.5, None):
        with pytest.raises(HyperparameterTypeError):
            check_int(bad, "n")


def test_check_bool():
    assert check_bool(True, "b") is True
    assert check_bool(np.bool_(False), "b") is False
    for bad in (1, 0, "true", None):
        with pytest.raises(HyperparameterTypeError, match="b must be True or False"):
            check_bool(bad, "b")


@pytest.mark.parametrize("field, value, code", [
    ("points", 49, "out_of_range"), ("points", 50.0, "bad_field"), ("points", True, "bad_field"),
    ("noise", 1.5, "out_of_range"), ("noise", "0.1", "bad_field"), ("lr", 0, "out_of_range"),
    ("lr", 10**400, "out_of_range"), ("normalize", 1, "bad_field"),
])
def test_the_playground_answers_the_same_rules_in_its_own_form(field, value, code):
    with pytest.raises(protocol.ProtocolError) as info:
        protocol.merge_config(protocol.default_config(), {field: value}, has_upload=False)
    assert (info.value.code, info.value.field) == (code, field)


def test_the_playground_keeps_accepted_values():
    config = protocol.merge_config(protocol.default_config(), {"points": 50, "noise": 1, "lr": 10, "normalize": False},
                                   has_upload=False)
    assert (config["points"], config["noise"], config["lr"], config["normalize"]) == (50, 1.0, 10.0, False)
    assert isinstance(config["noise"], float)
