import numpy as np
import pytest

from sklearn_unlearn.utils._scale import (
    finite_peak,
    power_of_two_scale,
    range_exponent,
    unit_exponent,
)


@pytest.mark.parametrize("value", [1e-300, 3e-7, 0.5, 1.0, 7.0, 1e300])
def test_unit_exponent_brings_a_magnitude_into_half_one(value):
    assert 0.5 <= np.ldexp(value, unit_exponent(value)) < 1.0


@pytest.mark.parametrize("value", [0.0, -1.0, np.inf, np.nan])
def test_unit_exponent_leaves_unusable_magnitudes_alone(value):
    assert unit_exponent(value) == 0


@pytest.mark.parametrize("j", [-1000, -3, 0, 5, 1000])
def test_range_exponent_follows_powers_of_two_exactly(j):
    X = np.random.default_rng(0).normal(size=(50, 3)) * [1.0, 10.0, 0.1]
    assert range_exponent(np.ldexp(X, j)) == range_exponent(X) - j


def test_range_exponent_of_constant_columns_is_zero():
    assert range_exponent(np.ones((5, 2))) == 0


def test_finite_peak_is_the_largest_magnitude_without_a_copy():
    X = np.array([[1.0, -5.0], [3.0, 2.0]])
    assert finite_peak(X) == 5.0
    assert finite_peak(np.zeros((0, 2))) == 0.0
    assert np.isnan(finite_peak(np.array([1.0, np.nan])))


def test_power_of_two_scale_per_axis():
    Z = np.array([[3.0, 0.0], [-5.0, 0.0]])
    np.testing.assert_array_equal(power_of_two_scale(Z, axis=0), [4.0, 1.0])
    assert power_of_two_scale(Z) == 4.0
