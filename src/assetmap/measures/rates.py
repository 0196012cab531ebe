r"""Rates per 1,000 residents, the one formula every table and page uses.

.. math::

    r = 1000\, \frac{c}{p}

for a count :math:`c` (assets, charities) among :math:`p` residents (Census 2021). An area or
group with no residents has no rate (NaN), never an infinite one.
"""

from __future__ import annotations

import math
from typing import TypeVar

import pandas as pd

_Num = TypeVar("_Num", float, pd.Series)


def per_1k(count: _Num | float, population: _Num) -> _Num:
    """``count`` per 1,000 of ``population``; NaN where the population is 0.

    Works on numbers and on aligned pandas Series alike.
    """
    if isinstance(population, pd.Series):
        return 1000 * count / population.where(population != 0)
    return 1000 * count / population if population else math.nan
