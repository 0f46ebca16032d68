"""Central finite differences of a network objective, to check exact gradients."""

import numpy as np
from numpy.testing import assert_allclose


def assert_gradients(value, params, analytic, *, h=1e-6, rtol=1e-5, atol=1e-8):
    """Check ``analytic`` against central differences of ``value(params)``.

    ``params`` is the list of arrays ``value`` reads (perturbed in place, one
    entry at a time, and restored); ``analytic`` the gradients in that order.
    """
    for p, g in zip(params, analytic, strict=True):
        numeric = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            up = value(params)
            p[idx] = old - h
            down = value(params)
            p[idx] = old
            numeric[idx] = (up - down) / (2 * h)
        assert_allclose(g, numeric, rtol=rtol, atol=atol)
