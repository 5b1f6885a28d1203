"""Differential privacy for count tables, with diffprivlib.

- Integer noise only: diffprivlib's two-sided ``Geometric`` mechanism (floating-point Laplace
  noise on counts is attackable: diffprivlib issues #19 and #94).
- Sensitivity from a contribution bound: each person may contribute at most
  ``max_units_per_person`` units (extra units are dropped at random, in the publish step's SQL:
  ``publish.units.clipped``) and each unit at most ``max_value_per_unit``; the L1 sensitivity
  of the interior cells is their product.
- Noise goes on the interior cells only (they partition the units); post-processing clips them
  to non-negative integers and every margin is the sum of its interior cells, so the table
  adds up. The 90% margin of error of a cell is computed exactly from the noise distribution
  of the interior cells it sums.
- Secure randomness: ``random_state=None`` makes diffprivlib draw from ``secrets``. Seeds are
  for tests only; ``publish`` refuses a seed unless the release is synthetic.
"""

from __future__ import annotations

import math
import secrets

import numpy as np
from diffprivlib.mechanisms import Geometric
from scipy.signal import fftconvolve

MECHANISM = "geometric"
MOE_LEVEL = 0.9


def make_rng(seed: int | None) -> np.random.Generator:
    return np.random.default_rng(secrets.randbits(128) if seed is None else seed)


def noisy(values: np.ndarray, epsilon: float, sensitivity: int, random_state=None) -> np.ndarray:
    """Add two-sided geometric noise to each value and clip at zero (post-processing)."""
    mech = Geometric(epsilon=epsilon, sensitivity=int(sensitivity), random_state=random_state)
    return np.array([max(0, mech.randomise(int(v))) for v in values], dtype=np.int64)


def protect_counts(
    interior: np.ndarray, contains: np.ndarray, epsilon: float, sensitivity: int, random_state=None
) -> tuple[np.ndarray, np.ndarray]:
    """Noise the interior cells, clip them at 0, and make every cell the sum of the interior
    cells it contains (``contains``: cells x interior, boolean). Returns values and 90% MOEs."""
    noisy_inner = noisy(interior, epsilon, sensitivity, random_state)
    values = contains.astype(np.int64) @ noisy_inner
    k = contains.sum(axis=1)
    moe_by_k = {n: margin_of_error(epsilon, sensitivity, max(int(n), 1)) for n in np.unique(k)}
    return values, np.array([moe_by_k[n] for n in k], dtype=np.int64)


def _pmf(epsilon: float, sensitivity: int, tail: float = 1e-12) -> np.ndarray:
    """PMF of diffprivlib's two-sided geometric noise on a symmetric support."""
    alpha = math.exp(-epsilon / sensitivity)
    k = int(math.ceil(math.log(tail) / math.log(alpha))) if alpha > 0 else 0
    z = np.arange(-k, k + 1)
    return (1 - alpha) / (1 + alpha) * alpha ** np.abs(z)


MAX_SUPPORT = 200_001


def margin_of_error(epsilon: float, sensitivity: int, n_cells: int = 1, level: float = MOE_LEVEL) -> int:
    """Smallest m with P(|noise| <= m) >= level, for the sum of ``n_cells`` independent noises.
    One cell: closed form. A sum: exact convolution of the noise distributions while their
    support is modest; beyond it (huge noise scales) the normal approximation, which is then accurate."""
    alpha = math.exp(-epsilon / sensitivity)
    if n_cells == 1:
        # P(|Z| <= m) = 1 - 2 alpha^(m+1) / (1 + alpha)
        return max(0, math.ceil(math.log((1 - level) * (1 + alpha) / 2) / math.log(alpha)) - 1)
    if 2 * math.ceil(math.log(1e-12) / math.log(alpha)) * n_cells > MAX_SUPPORT:
        from scipy.stats import norm

        variance = 2 * alpha / (1 - alpha) ** 2
        return int(math.ceil(norm.ppf(0.5 + level / 2) * math.sqrt(n_cells * variance)))
    base = _pmf(epsilon, sensitivity)
    pmf = base
    for _ in range(n_cells - 1):
        pmf = np.clip(fftconvolve(pmf, base), 0, None)
    centre = len(pmf) // 2
    cover = pmf[centre] + 2 * np.cumsum(pmf[centre + 1 :])
    return int(np.searchsorted(np.r_[pmf[centre], cover], level - 1e-12))
