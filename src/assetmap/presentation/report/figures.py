"""The pack's pictures, drawn with matplotlib: the map of the area and a decile chart per family.

The map draws the Map page's view (:class:`assetmap.presentation.mapviews.MapView`: the same
shapes, classes and colours) in British National Grid metres, so the scale bar is true and grid
north is up; local authority borders and names (at the pole of inaccessibility of the part of the
authority inside the area, :func:`shapely.ops.polylabel`, on a white halo), the Core20 outline,
a legend, a scale bar, a north arrow and the attribution. Every text is drawn as it is (no
mathtext, no LaTeX): a ``$`` in a name is a dollar sign.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import polylabel

from assetmap import settings
from assetmap.data.sources import SOURCES
from assetmap.measures.metrics import ALL
from assetmap.presentation.catalogue import MEASURES
from assetmap.presentation.classify import Classes

#: The credit lines printed under the map: boundaries, deprivation and residents.
ATTRIBUTION: Final = " ".join(
    dict.fromkeys(
        sentence.strip().rstrip(".") + "."
        for k in ("boundaries_lsoa21", "imd2025", "population")
        for sentence in SOURCES[k].attribution.split(". ")
    )
)
#: Colours of the area and of England in the charts (as on Home).
AREA_COLOUR: Final = "#0072B2"
ENGLAND_COLOUR: Final = "#999999"
_NO_DATA: Final = "#bdbdbd"
_LAD_COLOUR: Final = "#595959"
#: Most local authority names written on one map (the most populous first).
MAX_PLACE_NAMES: Final = 16
#: Print resolution of the map image.
MAP_DPI: Final = 200

_PLAIN: Final[dict[str, Any]] = {"parse_math": False, "usetex": False}


def measure_title(key: str, *, area_level: bool = False) -> str:
    """The legend title of a map measure: its label (by area, its area label)."""
    measure = MEASURES[key]
    return measure.area_label if area_level and measure.area_label else measure.label


def _pyplot() -> Any:
    import matplotlib  # only for the pack's pictures: keeps it off the dashboard's start-up

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _nice_length(span_m: float) -> float:
    # About a fifth of the map's width, rounded down to 1, 2 or 5 times a power of ten.
    target = span_m / 5
    power = 10 ** math.floor(math.log10(target))
    return float(max(m * power for m in (1, 2, 5) if m * power <= target))


def _scale_bar(ax: Any, xlim: tuple[float, float], ylim: tuple[float, float], halo: Any) -> None:
    from matplotlib.patches import Rectangle

    length = _nice_length(xlim[1] - xlim[0])
    x0 = xlim[0] + 0.04 * (xlim[1] - xlim[0])
    y0 = ylim[0] + 0.04 * (ylim[1] - ylim[0])
    height = 0.012 * (ylim[1] - ylim[0])
    for i, colour in enumerate(("#000000", "#ffffff")):
        ax.add_patch(
            Rectangle(
                (x0 + i * length / 2, y0),
                length / 2,
                height,
                facecolor=colour,
                edgecolor="#000000",
                linewidth=0.6,
                zorder=6,
            )
        )
    km = length / 1000
    words = f"{km:g} km" if km >= 1 else f"{length:g} m"
    for x, text in ((x0, "0"), (x0 + length, words)):
        ax.text(
            x,
            y0 + 1.6 * height,
            text,
            fontsize=6.5,
            ha="center",
            va="bottom",
            zorder=6,
            path_effects=[halo],
            **_PLAIN,
        )


def _north_arrow(ax: Any) -> None:
    ax.annotate(
        "N",
        xy=(0.955, 0.96),
        xytext=(0.955, 0.86),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=9,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "#000000", "linewidth": 1.2},
        zorder=7,
        annotation_clip=False,
    )


#: Where a place name may sit against its point: centred, above, below, right, left.
_NAME_POSITIONS: Final = (
    ("center", "center"),
    ("center", "bottom"),
    ("center", "top"),
    ("left", "center"),
    ("right", "center"),
)


def _place_names(
    ax: Any, outlines: gpd.GeoDataFrame, area_shape: shapely.Geometry, halo: Any
) -> None:
    # Each authority's name at the pole of inaccessibility of its largest part inside the area,
    # the most populous first; a name that would overlap one already written is left out.
    renderer = ax.figure.canvas.get_renderer()
    placed: list[Any] = []
    named = outlines.sort_values("population", ascending=False)
    for name, shape in zip(named["lad24nm"], named.geometry, strict=True):
        if len(placed) >= MAX_PLACE_NAMES:
            break
        inside = shape.intersection(area_shape)
        parts = [g for g in getattr(inside, "geoms", [inside]) if g.geom_type == "Polygon"]
        if not parts:
            continue
        largest = max(parts, key=lambda g: g.area)
        point = polylabel(largest, tolerance=max(math.sqrt(largest.area) / 50, 10.0))
        # Centred on the point, else beside it; left out when every position overlaps a name.
        for ha, va in _NAME_POSITIONS:
            text = ax.text(
                point.x,
                point.y,
                str(name),
                fontsize=6.5,
                ha=ha,
                va=va,
                color="#111111",
                path_effects=[halo],
                zorder=5,
                **_PLAIN,
            )
            box = text.get_window_extent(renderer).expanded(1.02, 1.05)
            if any(box.overlaps(other) for other in placed):
                text.remove()
                continue
            placed.append(box)
            break


def map_image(
    shapes: gpd.GeoDataFrame,
    classes: Classes,
    *,
    title: str,
    legend_title: str,
    places: gpd.GeoDataFrame,
    core20: np.ndarray | None = None,
    attribution: str = ATTRIBUTION,
    size_in: tuple[float, float] = (7.0, 5.1),
    dpi: int = MAP_DPI,
) -> bytes:
    """The map of a view as a PNG image at print resolution.

    Parameters
    ----------
    shapes
        The view's polygons (any CRS; each with ``lad24cd``), in the order of
        ``classes.index``.
    classes
        Their classes and colours (the view's :class:`~assetmap.presentation.classify.Classes`).
    title
        What the map shows, above it.
    legend_title
        The measure in words, above the legend.
    places
        Local authority polygons with ``lad24cd``, ``lad24nm`` and ``population``: the borders
        and names drawn.
    core20
        Which shapes are Core20 LSOAs, outlined in black; ``None`` for no outline.
    attribution
        Credit lines under the map.
    size_in, dpi
        The image's size in inches and its resolution.

    Returns
    -------
    bytes
        PNG.
    """
    plt = _pyplot()
    from matplotlib import patheffects
    from matplotlib.patches import Patch

    projected = shapes.to_crs(settings.CRS_METRIC)
    colours = [classes.colours[i] if i >= 0 else _NO_DATA for i in classes.index]
    outlines = places[places["lad24cd"].isin(projected["lad24cd"].unique())].to_crs(
        settings.CRS_METRIC
    )
    fig = plt.figure(figsize=size_in, dpi=dpi)
    ax = fig.add_axes((0.0, 0.07, 0.72, 0.86))
    legend_ax = fig.add_axes((0.73, 0.07, 0.27, 0.86))
    legend_ax.set_axis_off()
    projected.plot(ax=ax, color=colours, edgecolor="white", linewidth=0.15)
    outlines.boundary.plot(ax=ax, color=_LAD_COLOUR, linewidth=0.7, zorder=3)
    handles = [
        Patch(facecolor=c, edgecolor="#777777", label=lbl)
        for c, lbl in zip(classes.colours, classes.labels, strict=True)
    ]
    if core20 is not None and core20.any():
        core = shapely.coverage_union_all(projected.geometry.to_numpy()[core20])
        gpd.GeoSeries([core], crs=projected.crs).boundary.plot(
            ax=ax, color="#000000", linewidth=1.1, zorder=4
        )
        handles.append(
            Patch(facecolor="none", edgecolor="#000000", label="Core20 (most deprived 20%)")
        )
    handles.append(Patch(facecolor="none", edgecolor=_LAD_COLOUR, label="Local authority border"))
    ax.set_aspect("equal")
    ax.set_axis_off()
    # The area's own extent: an authority's border beyond it (a ward's, an own area's) is cut.
    minx, miny, maxx, maxy = projected.total_bounds
    pad = 0.04 * max(maxx - minx, maxy - miny, 1_000.0)
    xlim, ylim = (minx - pad, maxx + pad), (miny - pad, maxy + pad)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    area_shape = shapely.coverage_union_all(projected.geometry.to_numpy())
    halo = patheffects.withStroke(linewidth=2.4, foreground="white")
    _place_names(ax, outlines, area_shape, halo)
    _scale_bar(ax, xlim, ylim, halo)
    _north_arrow(ax)
    fig.text(0.01, 0.975, title, fontsize=9.5, fontweight="bold", va="top", wrap=True, **_PLAIN)
    legend = legend_ax.legend(
        handles=handles,
        loc="upper left",
        fontsize=6.5,
        frameon=False,
        title="\n".join(_wrap(legend_title, 34)),
        title_fontsize=7,
        alignment="left",
    )
    for text in [legend.get_title(), *legend.get_texts()]:
        text.set_parse_math(False)
        text.set_usetex(False)
    fig.text(
        0.01,
        0.01,
        "\n".join(_wrap(attribution, 150)),
        fontsize=5.5,
        color="#444444",
        va="bottom",
        **_PLAIN,
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    plt.close(fig)
    return buf.getvalue()


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]


def decile_chart(
    area_table: pd.DataFrame,
    england_table: pd.DataFrame,
    family: str,
    *,
    area_name: str,
    title: str,
    size_in: tuple[float, float] = (6.8, 2.3),
) -> bytes:
    """One family's assets per 1,000 residents by IMD 2025 decile, the area beside England.

    Parameters
    ----------
    area_table, england_table
        :func:`assetmap.measures.metrics.decile_table` of the area and of England.
    family
        The family whose total rows (``asset_type`` :data:`~assetmap.measures.metrics.ALL`) are
        drawn.
    area_name
        The area's name for the legend ("England" for England, drawn once).
    title
        Above the chart.
    size_in
        Size in inches.

    Returns
    -------
    bytes
        SVG.
    """
    plt = _pyplot()

    def rates(table: pd.DataFrame) -> pd.Series:
        rows = table[(table["family"] == family) & (table["asset_type"] == ALL)]
        return rows.set_index("imd_decile")["assets_per_1k"].reindex(range(1, 11))

    series: Sequence[tuple[str, pd.Series, str]] = [(area_name, rates(area_table), AREA_COLOUR)]
    if area_name != "England":
        series = [*series, ("England", rates(england_table), ENGLAND_COLOUR)]
    fig, ax = plt.subplots(figsize=size_in)
    width = 0.8 / len(series)
    x = np.arange(1, 11)
    top = 0.0
    for i, (name, values, colour) in enumerate(series):
        offset = (i - (len(series) - 1) / 2) * width
        heights = values.fillna(0).to_numpy()
        ax.bar(x + offset, heights, width, label=name, color=colour)
        top = max(top, float(heights.max()) if len(heights) else 0.0)
    ax.set_ylim(0, top * 1.3 if top > 0 else 1.0)  # room for the legend above the bars
    ax.set_xticks(x, [str(d) for d in x])
    ax.set_xlabel("IMD 2025 decile (1 = most deprived 10%)", fontsize=7.5)
    ax.set_ylabel("Per 1,000 residents", fontsize=7.5)
    ax.tick_params(labelsize=7)
    ax.set_title(title, fontsize=8.5, loc="left", **_PLAIN)
    ax.spines[["top", "right"]].set_visible(False)
    legend = ax.legend(fontsize=7, frameon=False, loc="upper left", ncols=len(series))
    for text in legend.get_texts():
        text.set_parse_math(False)
        text.set_usetex(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    return buf.getvalue()
