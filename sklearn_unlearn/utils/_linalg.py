"""Symmetric positive semi-definite matrix functions through ``eigh``.

Pure kernels: arrays in, arrays out, no validation. Every function accepts a
single ``(d, d)`` matrix or a stack ``(..., d, d)`` and works batch-wise, so a loop
over groups becomes one LAPACK call per stack.
"""

from typing import NamedTuple

import numpy as np

__all__ = ["PsdRoots", "psd_power", "psd_roots", "symmetrize"]


class PsdRoots(NamedTuple):
    """Square root and (pseudo-)inverse square root of a PSD matrix."""

    sqrt: np.ndarray
    inv_sqrt: np.ndarray


def symmetrize(A: np.ndarray) -> np.ndarray:
    """Return ``(A + A^T) / 2`` over the last two axes."""
    return 0.5 * (A + np.swapaxes(A, -1, -2))


def _eigh_clipped(C: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Eigen-decompose symmetric ``C``; clip negative round-off eigenvalues to 0.

    Also returns a mask of the eigenvalues that are numerically positive
    (above ``n * eps * max_eigenvalue``), used for pseudo-inverses.
    """
    w, V = np.linalg.eigh(symmetrize(C))
    w = np.clip(w, 0.0, None)
    d = C.shape[-1]
    cutoff = d * np.finfo(w.dtype).eps * np.max(w, axis=-1, keepdims=True)
    return w, V, w > cutoff


def _from_eig(V: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Assemble ``V diag(f) V^T`` for stacked ``V`` and ``f``."""
    return symmetrize((V * f[..., None, :]) @ np.swapaxes(V, -1, -2))


def psd_roots(C: np.ndarray) -> PsdRoots:
    """Square root and pseudo-inverse square root of symmetric PSD ``C``.

    Eigenvalues below ``d * eps * max_eigenvalue`` are treated as zero: the inverse
    root is then the Moore-Penrose inverse of the root (it acts on the range).
    """
    w, V, positive = _eigh_clipped(C)
    root = np.sqrt(w)
    inv_root = np.where(positive, 1.0 / np.where(positive, root, 1.0), 0.0)
    return PsdRoots(sqrt=_from_eig(V, root), inv_sqrt=_from_eig(V, inv_root))


def psd_power(C: np.ndarray, power: float) -> np.ndarray:
    """``C ** power`` for symmetric PSD ``C`` (pseudo-inverse for negative powers)."""
    w, V, positive = _eigh_clipped(C)
    safe = np.where(positive, w, 1.0)
    return _from_eig(V, np.where(positive, safe**power, 0.0))
