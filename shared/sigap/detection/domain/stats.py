"""Tail probabilities that are right for small counts.

Mention counts per window are small whole numbers, overdispersed (a busy day is busier than a Poisson model
expects): mean + k standard deviations on them fires on three mentions where one is usual. A negative-binomial
upper tail with mean `mean` and dispersion `k` (variance mean + mean^2 / k) is what detection tests against;
k → ∞ is Poisson. Tails are summed from the observed value upwards in log space, so a p-value of 1e-30 is
still exact rather than 1 - 0.9999999.
"""

from __future__ import annotations

import math

_TAIL_TERMS = 5000
_RELATIVE_EPSILON = 1e-12


def negative_binomial_sf(observed: int, mean: float, dispersion: float) -> float:
    """P(X >= observed) for X ~ NegBin(mean, dispersion)."""
    if observed <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    if observed <= mean:
        return 1.0  # not in the upper tail: never significant, and the sum below would be long
    k = dispersion
    log_p = math.log(mean / (k + mean))  # log of the success odds per step
    log_q = k * math.log(k / (k + mean))
    log_term = math.lgamma(observed + k) - math.lgamma(k) - math.lgamma(observed + 1) + log_q + observed * log_p
    term, total = math.exp(log_term), 0.0
    x = observed
    for _ in range(_TAIL_TERMS):
        total += term
        term *= (x + k) / (x + 1) * math.exp(log_p)
        x += 1
        if term < total * _RELATIVE_EPSILON:
            break
    return min(1.0, total)


def binomial_sf(observed: int, trials: int, probability: float) -> float:
    """P(X >= observed) for X ~ Binomial(trials, probability)."""
    if observed <= 0:
        return 1.0
    if observed > trials:
        return 0.0
    if probability <= 0:
        return 0.0
    if probability >= 1:
        return 1.0
    if observed <= trials * probability:
        return 1.0
    log_p, log_q = math.log(probability), math.log1p(-probability)
    total = 0.0
    for x in range(observed, trials + 1):
        log_term = (
            math.lgamma(trials + 1)
            - math.lgamma(x + 1)
            - math.lgamma(trials - x + 1)
            + x * log_p
            + (trials - x) * log_q
        )
        term = math.exp(log_term)
        total += term
        if term < total * _RELATIVE_EPSILON:
            break
    return min(1.0, total)


def smallest_significant(mean: float, dispersion: float, alpha: float, floor: int) -> int:
    """The smallest count at or above `floor` whose tail is below `alpha`: what an alert calls its threshold."""
    low = max(floor, math.floor(mean) + 1)
    if negative_binomial_sf(low, mean, dispersion) < alpha:
        return low
    high = low * 2
    while negative_binomial_sf(high, mean, dispersion) >= alpha:
        high *= 2
    while low < high:
        middle = (low + high) // 2
        if negative_binomial_sf(middle, mean, dispersion) < alpha:
            high = middle
        else:
            low = middle + 1
    return low
