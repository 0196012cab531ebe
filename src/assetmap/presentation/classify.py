"""Classification: a measure's values banded into coloured classes.

Classes come from mapclassify; colours from colour-blind-safe ColorBrewer / viridis ramps (via
branca).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import branca.colormap as cm
import mapclassify
import numpy as np
import pandas as pd

from assetmap.presentation.catalogue import Measure

#: How classes are drawn: national bands (same everywhere) or bands within the shown area.
BANDINGS: dict[str, str] = {
    "national": "National bands (same everywhere in England)",
    "quantiles": "Quantiles within this area (5 classes)",
    "natural_breaks": "Natural breaks within this area (5 classes, Fisher-Jenks)",
}


@dataclass(frozen=True)
class Classes:
    """A classification of values into coloured bands.

    Attributes
    ----------
    bins
        Upper bound of each class (inclusive).
    labels
        Legend text of each class.
    colours
        Hex colour of each class.
    index
        Class of each value (``-1`` where the value is missing).
    method
        Words naming the method, for the legend.
    """

    bins: list[float]
    labels: list[str]
    colours: list[str]
    index: np.ndarray
    method: str


def _colours(palette: str, k: int, reverse: bool) -> list[str]:
    ramp = getattr(cm.linear, palette)
    steps = np.linspace(0, 1, k) if k > 1 else np.array([0.5])
    if reverse:
        steps = steps[::-1]
    return [ramp.rgb_hex_str(ramp.vmin + s * (ramp.vmax - ramp.vmin)) for s in steps]


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


def _categorise(values: pd.Series, measure: Measure) -> Classes:
    """Classes of a measure of categories: each value in the class that lists it."""
    index = np.full(len(values), -1, dtype=np.int64)
    raw = values.to_numpy(dtype=object)
    for i, (_, _, members) in enumerate(measure.categories):
        index[pd.Series(raw).isin(list(members)).to_numpy()] = i
    labels = [label for label, _, _ in measure.categories]
    colours = [colour for _, colour, _ in measure.categories]
    return Classes(list(range(len(labels))), labels, colours, index, "categories")


def classify(
    values: pd.Series,
    measure: Measure,
    banding: str = "national",
    national: pd.Series | None = None,
    k: int = 5,
    *,
    deciles: bool | None = None,
) -> Classes:
    """Band values into classes with mapclassify.

    Parameters
    ----------
    values
        The values shown on the map.
    measure
        What they are.
    banding
        ``national``: deciles are shown as they are; other measures use the national deciles of
        ``national`` (mapclassify ``UserDefined`` on ``Quantiles(national, k=10)`` bins), so a
        colour means the same everywhere. ``quantiles``: ``Quantiles(values, k)``.
        ``natural_breaks``: ``FisherJenks(values, k)``.
    national
        The same measure for every LSOA (or area) in England; required for ``national`` banding of
        non-decile measures.
    k
        Number of classes for the within-area bandings.
    deciles
        Whether the values are national deciles 1-10; defaults to ``measure.is_decile`` (pass
        ``False`` for an area-level version of a decile measure, which is a score).

    Returns
    -------
    Classes
    """
    if banding not in BANDINGS:
        raise ValueError(f"banding must be one of {', '.join(BANDINGS)}, not {banding!r}")
    if measure.categories:
        return _categorise(values, measure)
    vals = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    ok = np.isfinite(vals)
    index = np.full(len(vals), -1, dtype=np.int64)
    if (measure.is_decile if deciles is None else deciles) and banding == "national":
        bins = [float(d) for d in range(1, 11)]
        index[ok] = vals[ok].astype(np.int64) - 1
        labels = ["1 (most deprived 10%)", *[str(d) for d in range(2, 10)], "10 (least deprived)"]
        return Classes(
            bins, labels, _colours(measure.palette, 10, measure.reverse), index, "national deciles"
        )
    if not ok.any():
        return Classes([], [], [], index, "no data")
    if banding == "national":
        if national is None:
            raise ValueError("national banding needs the national values")
        nat = pd.to_numeric(national, errors="coerce").dropna().to_numpy(dtype="float64")
        with warnings.catch_warnings():  # counts with many ties give fewer than 10 classes
            warnings.simplefilter("ignore", UserWarning)
            edges = np.unique(mapclassify.Quantiles(nat, k=10).bins)
        edges[-1] = max(edges[-1], vals[ok].max())
        classifier = mapclassify.UserDefined(vals[ok], bins=list(edges))
        method = "national deciles of this measure"
        # The first class starts at England's lowest value: a colour means the same everywhere,
        # and an area whose lowest value is above the first edge still reads "low to edge".
        lower = float(min(nat.min(), vals[ok].min()))
    else:
        # Many tied values (e.g. no assets) leave fewer distinct classes than asked for;
        # mapclassify then merges them and warns, which is the behaviour wanted here.
        kinds = {"quantiles": mapclassify.Quantiles, "natural_breaks": mapclassify.FisherJenks}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            classifier = kinds[banding](vals[ok], k=min(k, len(np.unique(vals[ok]))))
        method = (
            "quantiles within the area"
            if banding == "quantiles"
            else "natural breaks (Fisher-Jenks) within the area"
        )
        lower = float(vals[ok].min())
    bins = [float(b) for b in classifier.bins]
    index[ok] = np.asarray(classifier.yb, dtype=np.int64)
    labels = []
    for i, upper in enumerate(bins):
        low = lower if i == 0 else bins[i - 1]
        labels.append(
            f"{_fmt(low)} to {_fmt(upper)}" if i == 0 else f"over {_fmt(low)} to {_fmt(upper)}"
        )
    return Classes(
        bins, labels, _colours(measure.palette, len(bins), measure.reverse), index, method
    )
