"""Differential privacy: integer noise, contribution bounds, margins that add up, honest MOEs."""

from __future__ import annotations

import secrets

import numpy as np
import pytest

from cpt_public.release.protect import dp


def test_diffprivlib_imports_with_the_pinned_scikit_learn():
    """diffprivlib 0.6.6 fails to import with scikit-learn 1.9.x (cannot import name 'DOUBLE')."""
    import diffprivlib
    import sklearn
    from diffprivlib.mechanisms import Geometric  # noqa: F401

    assert diffprivlib.__version__ == "0.6.6"
    assert sklearn.__version__.startswith("1.8.")


def test_default_randomness_is_secure():
    from diffprivlib.mechanisms import Geometric

    assert isinstance(Geometric(epsilon=1.0)._rng, secrets.SystemRandom)


def test_margin_of_error_matches_the_closed_form_for_one_cell():
    # One cell: P(|Z| <= m) = 1 - 2 a^(m+1) / (1 + a), a = exp(-eps / sensitivity).
    for eps, sens in [(1.0, 1), (0.5, 1), (1.0, 24), (0.5, 48)]:
        a = np.exp(-eps / sens)
        m = dp.margin_of_error(eps, sens)
        assert 1 - 2 * a ** (m + 1) / (1 + a) >= 0.9
        assert 1 - 2 * a**m / (1 + a) < 0.9


def test_margin_of_error_for_sums_matches_simulation_and_survives_huge_scales():
    rng = np.random.default_rng(0)
    a = np.exp(-1.0 / 3)
    # two-sided geometric as the difference of two geometrics
    z = (rng.geometric(1 - a, (200_000, 5)) - rng.geometric(1 - a, (200_000, 5))).sum(axis=1)
    m = dp.margin_of_error(1.0, 3, 5)
    assert abs(np.mean(np.abs(z) <= m) - 0.9) < 0.01
    assert dp.margin_of_error(0.01, 10**9, 4) > 10**11  # normal approximation, no giant arrays


def test_margin_of_error_grows_with_cells_summed():
    one, four = dp.margin_of_error(1.0, 1, 1), dp.margin_of_error(1.0, 1, 4)
    assert one < four < 4 * one


def two_by_two_contains():
    # cells: a b A | c d C | a+c b+d all ; interior: a b c d
    rows = [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [1, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
        [0, 0, 1, 1],
        [1, 0, 1, 0],
        [0, 1, 0, 1],
        [1, 1, 1, 1],
    ]
    return np.array(rows, dtype=bool)


@pytest.mark.parametrize("truth", [[50, 120, 30, 80], [400, 3, 12, 0]])
def test_monte_carlo_coverage_of_the_margin_of_error(truth):
    """Over many draws, each cell's value before noise lies within ±moe90 about 90% of the time
    (at least; clipping at zero can only pull small interior cells towards the truth)."""
    contains = two_by_two_contains()
    truth = np.array(truth)
    exact = contains.astype(int) @ truth
    state = np.random.RandomState(12345)
    reps = 2000
    hits = np.zeros(len(exact))
    for _ in range(reps):
        values, moe = dp.protect_counts(truth, contains, epsilon=0.5, sensitivity=1, random_state=state)
        hits += np.abs(values - exact) <= moe
        assert (values >= 0).all()
        assert values[2] == values[0] + values[1] and values[8] == values[6] + values[7]  # margins add up
    coverage = hits / reps
    interior = [0, 1, 3, 4]
    assert (coverage[interior] >= 0.88).all(), coverage
    if min(truth) > 20:  # margins of cells far from zero carry no clipping bias
        assert (coverage >= 0.88).all(), coverage


def test_noise_is_integer_and_not_negative():
    out = dp.noisy(np.array([0, 1, 5, 1000]), 0.1, 1, np.random.RandomState(1))
    assert out.dtype == np.int64 and (out >= 0).all()


def test_post_processing_does_not_inflate_a_total_of_many_small_cells():
    """40 cells of 0-2 people and their total: clipping each noisy cell at zero pushes the total
    up by about 25; the least-squares fit keeps it near the truth on average."""
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 3, 40)
    contains = np.vstack([np.eye(40, dtype=bool), np.ones((1, 40), dtype=bool)])
    state = np.random.RandomState(7)
    totals = {"nnls": [], "clip": []}
    for _ in range(200):
        for post in totals:
            values, moe = dp.protect_counts(truth, contains, 0.5, 1, state, post=post)
            assert (values >= 0).all() and values[-1] == values[:-1].sum()
            totals[post].append(values[-1])
    bias = {post: np.mean(t) - truth.sum() for post, t in totals.items()}
    assert bias["clip"] > 15  # the old way: about +0.6 per cell
    assert abs(bias["nnls"]) < 6, bias
