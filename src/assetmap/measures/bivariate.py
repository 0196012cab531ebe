r"""Deprivation against provision in one map: a 3 x 3 bivariate classification.

Every LSOA gets a deprivation tertile (1 = most deprived third) and a provision tertile
(1 = least provided third, by assets per 1,000 residents); the pair names its class (``"1-1"``
is most deprived and least provided) and its colour.

Tertiles from ranks
-------------------
Both tertiles use one rule. With :math:`n` LSOAs banded and
:math:`R_i = 1 + \#\{j : v_j < v_i\}` the *minimum* rank of LSOA :math:`i` (ties share the rank of
the first of them),

.. math::

    t_i = \left\lceil 3 R_i / n \right\rceil \in \{1, 2, 3\}.

*Deprivation* ranks :math:`v` by the need measure's rank (1 = most deprived), which has no ties,
so the thirds are balanced: nationally 11,251, 11,252 and 11,252 of England's 33,755 LSOAs.

*Provision* ranks by ``assets_per_1k`` ascending, which has many ties: every LSOA without an
asset of the chosen types has rate 0. Tied LSOAs must share a class, and the rule puts a tie group
that straddles a cut wholly in the *lower* (less provided) class, so an LSOA with no asset is
always in tertile 1. The provision tertiles therefore cannot be balanced when more than a third
of LSOAs have no asset: tertile 1 is then exactly the zero-asset LSOAs (about two thirds of
England with all four open layers), tertile 3 the third with the highest rates, and tertile 2
only the few LSOAs in between; with two thirds or more at zero (any single layer) tertile 2 is
empty. :func:`cell_counts` shows the resulting sizes. ``mapclassify.Quantiles(k=3)`` is not used:
on such data it merges equal cut points and silently drops to two classes, which would call the
provided LSOAs "middle".

Bands are national by default (a class means the same everywhere, like the gap score) or computed
within the selected area (``bands="area"``: the area's own thirds).

Palette
-------
Joshua Stevens' 3 x 3 blue-red bivariate palette (Stevens, J. 2015, *Bivariate Choropleth Maps:
A How-to Guide*, https://www.joshuastevens.net/cartography/make-a-bivariate-choropleth-map/;
hex values as in the R package biscale, palette "GrPink"). Deprivation runs along its red axis,
scarcity of assets along its blue axis, so the darkest cell is the most deprived, least
provided class. Of Stevens' four palettes it has the largest worst case when its nine colours
are seen with simulated protanopia, deuteranopia or tritanopia (Machado, Oliveira and Fernandes
2009, severity 1): no two of its colours are closer than 9.7 CIELAB units under any of the three
(16.2 with normal vision), where the popular pink-blue palette falls to 4.5
(``tests/test_bivariate.py`` recomputes this). Class labels and counts are in the legend and
tooltips too, so colour is never the only cue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import pandas as pd
from branca.element import MacroElement, Template

from assetmap.geography import areas
from assetmap.presentation import colour

#: Stevens' blue-red palette keyed by his ``"x-y"`` cell (1 = low, 3 = high on each axis).
STEVENS_BLUE_RED: Final = {
    "1-1": "#e8e8e8",
    "2-1": "#e4acac",
    "3-1": "#c85a5a",
    "1-2": "#b0d5df",
    "2-2": "#ad9ea5",
    "3-2": "#985356",
    "1-3": "#64acbe",
    "2-3": "#627f8c",
    "3-3": "#574249",
}

#: Colour of each ``bivariate_class`` (``"<deprivation>-<provision>"``): x = deprivation
#: (tertile 1 -> high), y = scarcity of provision (tertile 1 -> high).
PALETTE: Final = {
    f"{d}-{p}": STEVENS_BLUE_RED[f"{4 - d}-{4 - p}"] for d in (1, 2, 3) for p in (1, 2, 3)
}

#: Output columns of :func:`classify`, in order (index ``lsoa21cd``).
BIVARIATE_COLUMNS: Final = (
    "population",
    "deprivation_tertile",
    "provision_tertile",
    "bivariate_class",
    "bivariate_colour",
)

X_LABEL: Final = "More deprived →"
Y_LABEL: Final = "Fewer assets per 1,000 →"


def tertiles(values: pd.Series) -> pd.Series:
    r"""Rank tertiles with ties sharing the lower class: :math:`\lceil 3 R_i / n \rceil`.

    Parameters
    ----------
    values
        Values to band, low values in tertile 1; no missing values.

    Returns
    -------
    pandas.Series
        ``int64`` 1, 2 or 3, same index. :math:`R_i` is the minimum rank (1 + the number of
        strictly smaller values), so tied values always share a tertile.
    """
    if values.isna().any():
        raise ValueError(f"{values.name} has missing values; tertiles need every value")
    n = len(values)
    rank = values.rank(method="min").to_numpy(dtype="int64")
    # Integer ceiling: 3 * 11,251 / 33,755 is a hair under 1 and must stay in tertile 1.
    return pd.Series((3 * rank + n - 1) // n, index=values.index, dtype="int64")


@dataclass(frozen=True)
class BivariateClasses:
    """Output of :func:`classify`: each LSOA's class and how the thirds were drawn.

    Attributes
    ----------
    table
        The area's LSOAs indexed by ``lsoa21cd``, columns :data:`BIVARIATE_COLUMNS`.
    bands
        ``"national"`` or ``"area"``.
    need
        The deprivation measure of the deprivation thirds.
    area
        The area (``level:code``).
    zero_asset_share
        Share of the banded LSOAs with no asset.
    """

    table: pd.DataFrame
    bands: str
    need: str
    area: str
    zero_asset_share: float


def classify(
    metrics: pd.DataFrame,
    area: areas.Area | None = None,
    *,
    need: str,
    bands: Literal["national", "area"] = "national",
) -> BivariateClasses:
    """Deprivation tertile x provision tertile for the LSOAs of an area.

    Parameters
    ----------
    metrics
        Output of :func:`assetmap.measures.metrics.lsoa_metrics` for all of England.
    area
        The area; England when ``None``.
    need
        The need measure ``metrics`` was computed with (one of
        :data:`assetmap.measures.metrics.NEED_MEASURES`): deprivation thirds are of its
        ``<need>_rank``.
    bands
        ``"national"``: thirds of England's 33,755 LSOAs; ``"area"``: thirds of the area's LSOAs.
        With fewer than three LSOAs, area thirds mean little (one LSOA is tertile 3).

    Returns
    -------
    BivariateClasses
        ``table``: the area's LSOAs indexed by ``lsoa21cd``, columns :data:`BIVARIATE_COLUMNS`:
        ``deprivation_tertile`` (1 = most deprived third), ``provision_tertile`` (1 = least
        provided third; see the module docstring for ties), ``bivariate_class``
        (``"<deprivation>-<provision>"``) and ``bivariate_colour`` (hex, :data:`PALETTE`);
        with ``bands``, ``need``, ``area`` (``level:code``) and ``zero_asset_share`` (share of
        the banded LSOAs with no asset).
    """
    if bands not in ("national", "area"):
        raise ValueError(f"bands must be 'national' or 'area', not {bands!r}")
    area = area or areas.ENGLAND
    banded = metrics if bands == "national" else areas.select(metrics, area)
    banded = banded.set_index("lsoa21cd")
    deprivation = tertiles(banded[f"{need}_rank"])
    provision = tertiles(banded["assets_per_1k"])
    out = pd.DataFrame(
        {
            "population": banded["population"],
            "deprivation_tertile": deprivation,
            "provision_tertile": provision,
        }
    )
    if bands == "national":
        out = out.loc[areas.select(metrics, area)["lsoa21cd"]]
    out["bivariate_class"] = (
        out["deprivation_tertile"].astype(str) + "-" + out["provision_tertile"].astype(str)
    )
    out["bivariate_colour"] = out["bivariate_class"].map(PALETTE)
    return BivariateClasses(
        table=out[list(BIVARIATE_COLUMNS)],
        bands=bands,
        need=need,
        area=area.ref,
        zero_asset_share=float((banded["assets_per_1k"] == 0).mean()),
    )


def cell_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """LSOAs and residents in each of the nine classes.

    Parameters
    ----------
    frame
        ``table`` of :func:`classify` (optionally filtered further).

    Returns
    -------
    pandas.DataFrame
        Nine rows (empty classes included), deprivation tertile then provision tertile:
        ``deprivation_tertile``, ``provision_tertile``, ``bivariate_class``,
        ``bivariate_colour``, ``lsoa_count`` and ``population``. The 3 x 3 grid is
        ``.pivot(index="deprivation_tertile", columns="provision_tertile", values=...)``.
    """
    cells = pd.MultiIndex.from_product(
        [[1, 2, 3], [1, 2, 3]], names=["deprivation_tertile", "provision_tertile"]
    )
    grouped = frame.groupby(["deprivation_tertile", "provision_tertile"])
    out = pd.DataFrame(
        {
            "lsoa_count": grouped.size().reindex(cells, fill_value=0).astype("int64"),
            "population": grouped["population"].sum().reindex(cells, fill_value=0),
        }
    ).reset_index()
    out["population"] = out["population"].astype("int64")
    out.insert(
        2,
        "bivariate_class",
        out["deprivation_tertile"].astype(str) + "-" + out["provision_tertile"].astype(str),
    )
    out.insert(3, "bivariate_colour", out["bivariate_class"].map(PALETTE))
    return out


_CORNERS: Final = {
    "bottomleft": "bottom:56px; left:10px;",  # above Leaflet's scale bar
    "bottomright": "bottom:24px; right:10px;",
    "topleft": "top:10px; left:54px;",
    "topright": "top:10px; right:10px;",
}


class Legend2D(MacroElement):
    """The 3 x 3 legend of the bivariate map, drawn as real (screen-readable) HTML.

    Deprivation increases to the right, scarcity of assets upwards, so the top-right cell is
    class ``1-1``. Add it with ``legend.add_to(folium_map)``.

    Parameters
    ----------
    counts
        Output of :func:`cell_counts`; each cell then shows its LSOA count, and its tooltip the
        residents too.
    title
        Heading above the grid.
    note
        Small print below it (e.g. "National thirds of England's LSOAs").
    position
        Corner of the map: ``bottomleft``, ``bottomright``, ``topleft`` or ``topright``.
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div id="{{ this.get_name() }}" class="assetmap-legend-2d" role="region"
             aria-label="Bivariate map legend"
             style="position:absolute; z-index:9999; {{ this.corner }} max-width:260px;
                    background:rgba(255,255,255,0.94); padding:8px 10px; border-radius:6px;
                    box-shadow:0 1px 4px rgba(0,0,0,0.3); font:12px/1.35 sans-serif; color:#222;">
          <div style="font-weight:bold; margin-bottom:4px;">{{ this.title|e }}</div>
          <div style="display:flex; align-items:stretch;">
            <div style="writing-mode:vertical-rl; transform:rotate(180deg); text-align:center;
                        margin-right:4px;">{{ this.y_label|e }}</div>
            <div>
              <div role="list" aria-label="The nine classes"
                   style="display:grid; grid-template-columns:repeat(3, 34px);
                          grid-auto-rows:26px; gap:1px;">
                {% for cell in this.cells %}
                <div role="listitem" title="{{ cell.tip|e }}" aria-label="{{ cell.tip|e }}"
                     style="background:{{ cell.colour }}; color:{{ cell.text_colour }};
                            display:flex; align-items:center; justify-content:center;
                            font-size:10px;">{{ cell.text|e }}</div>
                {% endfor %}
              </div>
              <div style="text-align:center; margin-top:2px;">{{ this.x_label|e }}</div>
            </div>
          </div>
          {% if this.note %}<div style="margin-top:4px; color:#555;">{{ this.note|e }}</div>
          {% endif %}
        </div>
        {% endmacro %}
        """
    )

    def __init__(
        self,
        counts: pd.DataFrame | None = None,
        title: str = "Deprivation and provision",
        note: str = "",
        position: str = "bottomleft",
    ) -> None:
        super().__init__()
        if position not in _CORNERS:
            raise ValueError(f"position must be one of {', '.join(_CORNERS)}, not {position!r}")
        self._name = "Legend2D"
        self.title = title
        self.note = note
        self.corner = _CORNERS[position]
        self.x_label = X_LABEL
        self.y_label = Y_LABEL
        by_class: dict[str, tuple[int, int]] = {}
        if counts is not None:
            for key, lsoas, people in zip(
                counts["bivariate_class"], counts["lsoa_count"], counts["population"], strict=True
            ):
                by_class[str(key)] = (int(lsoas), int(people))
        self.cells = []
        # Rows top to bottom: provision tertile 1 (fewest assets) first; columns left to right:
        # deprivation tertile 3 (least deprived) first.
        for p in (1, 2, 3):
            for d in (3, 2, 1):
                key = f"{d}-{p}"
                tip = f"Class {key}: deprivation third {d} of 3 (1 = most deprived), provision "
                tip += f"third {p} of 3 (1 = fewest assets per 1,000)"
                text = ""
                if counts is not None:
                    lsoas, people = by_class[key]
                    tip += f": {lsoas:,} LSOAs, {people:,} residents"
                    text = f"{lsoas:,}"
                self.cells.append(
                    {
                        "colour": PALETTE[key],
                        "text_colour": colour.text_on(PALETTE[key]),
                        "tip": tip,
                        "text": text,
                    }
                )
