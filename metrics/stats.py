"""Uncertainty of scores: the margins of docs/metrics.md and a two-sample test.

Pure functions of counts that the SQL aggregates return; no database access.
"""

from __future__ import annotations

import dataclasses
import math

Z95 = 1.96


def nps_score(promoters: int, detractors: int, n: int) -> float | None:
    if n == 0:
        return None
    return 100.0 * (promoters - detractors) / n


def _adjusted_nps_parts(promoters: int, detractors: int, n: int) -> tuple[float, float, float]:
    # Rocks (2016): add 3 pseudo-responses, 0.75 to promoters and to detractors
    # (and 1.5 to passives), which keeps the interval sound at small n.
    n_adj = n + 3
    return (promoters + 0.75) / n_adj, (detractors + 0.75) / n_adj, n_adj


def nps_margin(promoters: int, detractors: int, n: int) -> float | None:
    """95% margin of error of NPS in NPS points (adjusted-Wald, docs/metrics.md)."""
    if n == 0:
        return None
    p, d, n_adj = _adjusted_nps_parts(promoters, detractors, n)
    return Z95 * 100.0 * math.sqrt((p + d - (p - d) ** 2) / n_adj)


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """95% Wilson score interval of a proportion, in percent."""
    if n == 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return 100.0 * max(0.0, centre - half), 100.0 * min(1.0, centre + half)


@dataclasses.dataclass(frozen=True)
class Comparison:
    """A difference between two samples and whether it is larger than the noise."""

    difference: float | None
    z: float | None
    p_value: float | None

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < 0.05


NO_COMPARISON = Comparison(None, None, None)


def _two_sided_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


def compare_nps(a: tuple[int, int, int], b: tuple[int, int, int]) -> Comparison:
    """a and b are (promoters, detractors, n). z-test on the difference of two NPS values,
    each with its adjusted-Wald variance, so it stays defined at small n."""
    if a[2] == 0 or b[2] == 0:
        return NO_COMPARISON
    pa, da, na = _adjusted_nps_parts(*a)
    pb, db, nb = _adjusted_nps_parts(*b)
    variance = (pa + da - (pa - da) ** 2) / na + (pb + db - (pb - db) ** 2) / nb
    diff = nps_score(*a) - nps_score(*b)
    z = ((pa - da) - (pb - db)) / math.sqrt(variance)
    return Comparison(diff, z, _two_sided_p(z))


def compare_proportions(a: tuple[int, int], b: tuple[int, int]) -> Comparison:
    """a and b are (successes, n); pooled two-proportion z-test, difference in points."""
    (ka, na), (kb, nb) = a, b
    if na == 0 or nb == 0:
        return NO_COMPARISON
    pooled = (ka + kb) / (na + nb)
    diff = 100.0 * (ka / na - kb / nb)
    if pooled in (0.0, 1.0):  # identical all-or-nothing samples: no evidence of a difference
        return Comparison(diff, 0.0, 1.0)
    z = (ka / na - kb / nb) / math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    return Comparison(diff, z, _two_sided_p(z))


def compare_means(a: tuple[float, float, int], b: tuple[float, float, int]) -> Comparison:
    """a and b are (sum, sum of squares, n); Welch's z for two means (large-sample)."""
    (sa, qa, na), (sb, qb, nb) = a, b
    if na < 2 or nb < 2:
        return NO_COMPARISON
    ma, mb = sa / na, sb / nb
    va = max(0.0, (qa - na * ma * ma) / (na - 1))
    vb = max(0.0, (qb - nb * mb * mb) / (nb - 1))
    se = math.sqrt(va / na + vb / nb)
    if se == 0:
        return Comparison(ma - mb, 0.0, 1.0 if ma == mb else 0.0)
    z = (ma - mb) / se
    return Comparison(ma - mb, z, _two_sided_p(z))


# Intervals of a difference between two samples (the drivers and the renewal report,
# docs/insights.md). Each returns (difference, low, high) in the score's own points.


def newcombe_interval(a: tuple[int, int], b: tuple[int, int],
                      z: float = Z95) -> tuple[float, float, float] | None:
    """a and b are (successes, n). Newcombe's hybrid score interval (his method 10) for
    p_a − p_b, in percentage points: each side's Wilson limits, combined by the square
    root of summed squared distances. Sound at small n and near 0 or 100 %."""
    (ka, na), (kb, nb) = a, b
    if na == 0 or nb == 0:
        return None
    pa, pb = 100.0 * ka / na, 100.0 * kb / nb
    la, ua = wilson_interval(ka, na, z)
    lb, ub = wilson_interval(kb, nb, z)
    d = pa - pb
    return (d, d - math.sqrt((pa - la) ** 2 + (ub - pb) ** 2),
            d + math.sqrt((ua - pa) ** 2 + (pb - lb) ** 2))


def nps_difference_interval(a: tuple[int, int, int], b: tuple[int, int, int],
                            z: float = Z95) -> tuple[float, float, float] | None:
    """a and b are (promoters, detractors, n). The difference of two independent NPS
    values with an adjusted-Wald interval: each NPS is a trinomial mean (+1, 0, −1), its
    variance (p + d − (p − d)²) ÷ n with the pseudo-counts of nps_margin (Rocks 2016);
    the variances of independent samples add, and the interval is centred on the
    adjusted difference, as adjusted-Wald intervals are."""
    if a[2] == 0 or b[2] == 0:
        return None
    pa, da, na = _adjusted_nps_parts(*a)
    pb, db, nb = _adjusted_nps_parts(*b)
    se = math.sqrt((pa + da - (pa - da) ** 2) / na + (pb + db - (pb - db) ** 2) / nb)
    centre = (pa - da) - (pb - db)
    low, high = max(-2.0, centre - z * se), min(2.0, centre + z * se)
    return nps_score(*a) - nps_score(*b), 100.0 * low, 100.0 * high


def mean_difference_interval(a: tuple[float, float, int], b: tuple[float, float, int],
                             ) -> tuple[float, float, float] | None:
    """a and b are (sum, sum of squares, n). Welch's interval for the difference of two
    means: unequal variances, Student's t with Welch–Satterthwaite degrees of freedom."""
    from scipy.stats import t as student_t  # imported here: only the drivers need scipy

    (sa, qa, na), (sb, qb, nb) = a, b
    if na < 2 or nb < 2:
        return None
    ma, mb = sa / na, sb / nb
    va = max(0.0, (qa - na * ma * ma) / (na - 1)) / na
    vb = max(0.0, (qb - nb * mb * mb) / (nb - 1)) / nb
    d = ma - mb
    if va + vb == 0:
        return d, d, d
    df = (va + vb) ** 2 / (va * va / (na - 1) + vb * vb / (nb - 1))
    half = float(student_t.ppf(0.975, df)) * math.sqrt(va + vb)
    return d, d - half, d + half
