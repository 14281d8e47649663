"""Finding values far from comparable libraries: the modified z-score.

For a peer group (libraries of the same type and size class), each value's
distance from the group's median is measured in units of the median absolute
deviation (MAD), which a few extreme reports cannot drag the way they drag a
mean and a standard deviation (Iglewicz and Hoaglin, 1993):

    z = 0.6745 * (x - median) / MAD,   flagged when |z| > 3.5

When more than half the group reports the same value the MAD is 0; the mean
absolute deviation stands in for it then, scaled by 0.7979 so that both measure
the same spread for normally distributed data. When every value is the same,
nothing is an outlier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import median
from typing import Any

THRESHOLD = 3.5
MIN_GROUP = 5  # fewer peers than this say nothing reliable


@dataclass(frozen=True)
class Outlier:
    key: object
    value: float
    score: float
    group_median: float


def modified_z_scores(values: Sequence[float]) -> list[float]:
    """The modified z-score of each value (0.0 for all when there is no spread)."""
    if not values:
        return []
    centre = median(values)
    deviations = [abs(value - centre) for value in values]
    mad = median(deviations)
    if mad > 0:
        return [0.6745 * (value - centre) / mad for value in values]
    mean_deviation = sum(deviations) / len(deviations)
    if mean_deviation == 0:
        return [0.0 for _ in values]
    return [(value - centre) / (1.253314 * mean_deviation) for value in values]


def outliers(
    values: Mapping[Any, float | Decimal | None], *, threshold: float = THRESHOLD
) -> list[Outlier]:
    """The entries of one peer group whose value lies beyond ``threshold``.

    Missing values are left out of the group; a group smaller than
    ``MIN_GROUP`` flags nothing.
    """
    present = [
        (key, float(value)) for key, value in values.items() if value is not None
    ]
    if len(present) < MIN_GROUP:
        return []
    scores = modified_z_scores([value for _key, value in present])
    centre = median(value for _key, value in present)
    return [
        Outlier(key, value, score, centre)
        for (key, value), score in zip(present, scores, strict=True)
        if abs(score) > threshold
    ]
