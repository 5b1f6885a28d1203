"""Differential privacy for count tables, with diffprivlib.

- Integer noise only: diffprivlib's two-sided ``Geometric`` mechanism (floating-point Laplace
  noise on counts is attackable: diffprivlib issues #19 and #94).
- Sensitivity from a contribution bound: each person may contribute at most
  ``max_units_per_person`` units (extra units are dropped at random, in the publish step's SQL:
  ``publish.units.clipped``) and each unit at most ``max_value_per_unit``; the L1 sensitivity
  of the interior cells is their product.
- Noise goes on the interior cells only (they partition the units); post-processing
  (``POST_PROCESSING``) finds the non-negative whole-number table closest to every cell's
  unbiased noisy estimate, so the table adds up and its totals are not inflated by small cells
  pushed up to zero. The 90% margin of error of a cell is computed exactly from the noise
  distribution of the interior cells it sums; ``benchmarks/dp_accuracy.py`` measures how often
  the published ranges cover the true counts, and the bias.
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
    return np.maximum(0, raw_noisy(values, epsilon, sensitivity, random_state))


def raw_noisy(values: np.ndarray, epsilon: float, sensitivity: int, random_state=None) -> np.ndarray:
    """Each value plus two-sided geometric noise, negative results kept (unbiased)."""
    mech = Geometric(epsilon=epsilon, sensitivity=int(sensitivity), random_state=random_state)
    return np.array([mech.randomise(int(v)) for v in values], dtype=np.int64)


POST_PROCESSING = (
    "Noise is added to the interior cells only. Each cell's unbiased noisy estimate is the plain sum of the "
    "noisy interior cells it covers. The published table is the table of whole, non-negative numbers whose "
    "totals keep their estimates wherever a non-negative table allows and whose interior cells come closest "
    "to theirs (non-negative least squares), rounded so its cells add up. Unlike clipping each noisy cell at "
    "zero, this does not inflate totals over many small cells."
)


def protect_counts(
    interior: np.ndarray,
    contains: np.ndarray,
    epsilon: float,
    sensitivity: int,
    random_state=None,
    post: str = "nnls",
) -> tuple[np.ndarray, np.ndarray]:
    """Noise the interior cells and make a consistent table of every cell (``contains``: cells x
    interior, boolean), post-processed as ``POST_PROCESSING`` says (``post="clip"``: the older
    clip-each-cell-at-zero, kept for the accuracy benchmark). Returns values and 90% MOEs."""
    raw = raw_noisy(interior, epsilon, sensitivity, random_state)
    c = contains.astype(np.int64)
    # The grand total anchors the fit even where the table publishes no margin.
    anchors = c if c.all(axis=1).any() else np.vstack([c, np.ones((1, c.shape[1]), dtype=np.int64)])
    inner = nonnegative_fit(anchors, anchors @ raw) if post == "nnls" else np.maximum(0, raw)
    values = c @ inner
    k = contains.sum(axis=1)
    moe_by_k = {n: margin_of_error(epsilon, sensitivity, max(int(n), 1)) for n in np.unique(k)}
    return values, np.array([moe_by_k[n] for n in k], dtype=np.int64)


def nonnegative_fit(contains: np.ndarray, estimates: np.ndarray) -> np.ndarray:
    """Whole, non-negative interior counts whose margins (cells summing several interior cells)
    keep their unbiased estimates wherever they can — they weigh a thousand times more — and
    whose interior cells come closest to theirs; found by SciPy's bounded least squares and
    rounded so the grand sum is kept."""
    from scipy.optimize import lsq_linear

    weight = np.where(contains.sum(axis=1) > 1, 1000.0, 1.0)
    a = contains * weight[:, None]
    fit = lsq_linear(a, estimates * weight, bounds=(0, np.inf), method="bvls").x
    # Round to whole numbers keeping the fitted total (largest remainders), so margins stay honest.
    base = np.floor(fit + 1e-9).astype(np.int64)
    short = int(round(fit.sum())) - int(base.sum())
    if short > 0:
        base[np.argsort(-(fit - base), kind="stable")[:short]] += 1
    return base


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
