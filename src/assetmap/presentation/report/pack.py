"""An evidence pack's contents: every table and figure of an area, from the pages' own functions.

:func:`build_pack` calls the functions the dashboard pages call, on the same national table
(:class:`~assetmap.presentation.report.inputs.PackInputs`): the key figures and readings of Home
(:mod:`assetmap.presentation.reading`, :func:`assetmap.measures.metrics.decile_table`), the gap
table (:func:`assetmap.measures.metrics.gap_table`), the invest-first ranking with equal weights
(:func:`assetmap.measures.invest.rank`), the Area profile's change since 2019, 3 x 3 counts and
hot and cold spots (:mod:`assetmap.measures.change`, :mod:`~assetmap.measures.bivariate`,
:mod:`~assetmap.measures.hotspots`) and the Map's view (:mod:`assetmap.presentation.mapviews`).
Nothing is computed a second way. :mod:`~assetmap.presentation.report.document` lays the
:class:`Pack` out, :mod:`~assetmap.presentation.report.datazip` writes its tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

import geopandas as gpd
import pandas as pd

from assetmap import settings
from assetmap.data.assets import FAMILIES, family_of
from assetmap.geography import areas
from assetmap.measures import bivariate, change, hotspots, invest, metrics
from assetmap.presentation import export, mapviews, reading
from assetmap.presentation.report.figures import (
    ATTRIBUTION,
    decile_chart,
    map_image,
    measure_title,
)
from assetmap.presentation.report.inputs import PackInputs, Progress, no_progress

#: The map's measure and banding (the Map page's default view).
DEFAULT_MEASURE: Final = "gap_score"
DEFAULT_BANDING: Final = "national"
#: Rows of the gap table and of the invest-first list printed in the PDF (the zip has them all).
TOP_ROWS: Final = 10
#: Levels mapped by local authority rather than by LSOA (too many LSOAs to read on a page).
OVERVIEW_LEVELS: Final = frozenset({"england", "region"})
#: The ``Source`` keys the change since 2019 adds to the base vintages.
CHANGE_SOURCES: Final = ("imd2019", "lookup_lsoa11")


@dataclass(frozen=True)
class FamilySection:
    """One asset family's part of the pack.

    Attributes
    ----------
    family
        Key of :data:`assetmap.data.assets.FAMILIES` (or an upload's family).
    label
        The family in words.
    types
        Its asset types counted.
    core20_without
        Core20 LSOAs of the area with none of them (:func:`reading.core20_without`).
    headline
        :func:`reading.headline`: Markdown, its values escaped.
    by_type
        :func:`reading.by_type`: ``(label, deprived rate, affluent rate, words)``.
    chart
        The decile chart (SVG).
    """

    family: str
    label: str
    types: tuple[str, ...]
    core20_without: int
    headline: str
    by_type: list[tuple[str, float, float, str]]
    chart: bytes


@dataclass(frozen=True)
class Pack:
    """Everything in an evidence pack, computed once.

    Attributes
    ----------
    area
        The area.
    made_at
        When the pack was made (UTC).
    inputs
        What it was made from.
    figures, england_figures
        :func:`reading.key_figures` of the area and of England.
    area_deciles, england_deciles
        :func:`metrics.decile_table` of the area and of England.
    families
        One :class:`FamilySection` per family counted.
    gaps
        :func:`metrics.gap_table` of the area (every LSOA, ranked).
    thin
        :func:`reading.thin_places` of ``gaps``.
    ranking
        :func:`invest.rank` with equal weights.
    cells
        :func:`bivariate.cell_counts` (national thirds).
    zero_asset_share
        Share of England's LSOAs with none of the assets counted (all in provision third 1).
    spots
        :func:`hotspots.cluster_summary` with residents.
    moved
        :func:`change.change_summary` of the area.
    lsoas
        The area's LSOAs with every measure of the national table, polygons in EPSG:4326.
    view
        The map view (:func:`mapviews.lsoa_view` or, for England and regions, by local
        authority :func:`mapviews.area_view`).
    map_png
        The map image (:func:`~assetmap.presentation.report.figures.map_image`).
    vintages
        :func:`export.data_vintages` of every source the pack uses.
    link
        The dashboard URL that reopens the same view, or ``""`` when the area does not fit in
        a link (an own area of many LSOAs).
    """

    area: areas.Area
    made_at: dt.datetime
    inputs: PackInputs
    figures: dict[str, Any]
    england_figures: dict[str, Any]
    area_deciles: pd.DataFrame
    england_deciles: pd.DataFrame
    families: list[FamilySection]
    gaps: pd.DataFrame
    thin: pd.DataFrame
    ranking: invest.Ranking
    cells: pd.DataFrame
    zero_asset_share: float
    spots: pd.DataFrame
    moved: pd.DataFrame
    lsoas: gpd.GeoDataFrame
    view: mapviews.MapView
    map_png: bytes
    vintages: str
    link: str

    @property
    def clusters(self) -> hotspots.ClusterTest:
        """The cluster test behind the hot and cold spots."""
        return self.inputs.neighbourhoods.clusters


def view_link(
    area: areas.Area,
    types: tuple[str, ...],
    need: str,
    base_url: str | None = None,
    families: dict[str, str] | None = None,
) -> str:
    """The dashboard URL of this view: ``?area=...&families=...&types=...&need=...``.

    Parameters
    ----------
    area
        The area (an own area travels as its LSOA codes with ``area_name``).
    types, need
        What is counted and the need measure.
    base_url
        The dashboard's address; ``settings.DASHBOARD_URL`` when ``None``.
    families
        Family of an upload's types.

    Returns
    -------
    str
        The URL, or ``""`` when an own area's codes are longer than
        ``settings.OWN_AREA_URL_MAX_CHARS``.
    """
    if area.level == areas.OWN and len(area.ref) > settings.OWN_AREA_URL_MAX_CHARS:
        return ""
    present = {family_of(t, families) for t in types}
    fams = [f for f in FAMILIES if f in present] + sorted(present - set(FAMILIES))
    query: dict[str, str] = {
        "area": area.ref,
        "families": ",".join(fams),
        "types": ",".join(types),
        "need": need,
        "measure": DEFAULT_MEASURE,
    }
    if area.level == areas.OWN:
        query["area_name"] = area.name
    base = settings.DASHBOARD_URL if base_url is None else base_url
    return f"{base.rstrip('?')}?{urlencode(query, safe=':,')}"


def _families(inputs: PackInputs) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    families = dict(inputs.families)
    for t in inputs.types:
        grouped.setdefault(family_of(t, families), []).append(t)
    order = [*FAMILIES, *sorted(set(grouped) - set(FAMILIES))]
    return {f: grouped[f] for f in order if f in grouped}


def _family_label(family: str) -> str:
    return FAMILIES[family].label if family in FAMILIES else family


def _map_view(inputs: PackInputs, area: areas.Area) -> mapviews.MapView:
    table = inputs.neighbourhoods.table
    if area.level in OVERVIEW_LEVELS:
        return mapviews.area_view(
            table,
            area,
            "lad",
            inputs.lad_layer,
            DEFAULT_MEASURE,
            DEFAULT_BANDING,
            types=inputs.types,
        )
    return mapviews.lsoa_view(
        table,
        area,
        inputs.lsoa_shapes,
        inputs.lad_layer,
        DEFAULT_MEASURE,
        DEFAULT_BANDING,
        need=inputs.need,
        clusters=inputs.neighbourhoods.clusters,
    )


def build_pack(
    area: areas.Area,
    inputs: PackInputs,
    *,
    base_url: str | None = None,
    made_at: dt.datetime | None = None,
    progress: Progress = no_progress,
) -> Pack:
    """Compute every table and figure of an area's evidence pack.

    Parameters
    ----------
    area
        Any area: England, a region, ICB, sub-ICB, local authority, ward or an own area.
    inputs
        England's neighbourhood table and what goes with it
        (:func:`~assetmap.presentation.report.inputs.load_inputs`, or the dashboard's caches).
    base_url
        The dashboard's address, for the link that reopens the view;
        ``settings.DASHBOARD_URL`` when ``None``.
    made_at
        The time to print as made; now (UTC) when ``None``.
    progress
        Told the share done (0.5 to 0.9 of a whole pack: loading the inputs comes before, the
        PDF after) and the step, in words.

    Returns
    -------
    Pack
    """
    table = inputs.neighbourhoods.table
    types = list(inputs.types)
    need = inputs.need
    families = dict(inputs.families)
    progress(0.5, "Key figures and deciles")
    local = areas.select(table, area)
    area_deciles = metrics.decile_table(local, types, families)
    england_deciles = metrics.decile_table(table, types, families)
    labels = {t: inputs.label(t) for t in types}
    sections = []
    for family, members in _families(inputs).items():
        what = ", ".join(labels[t] for t in members)
        sections.append(
            FamilySection(
                family=family,
                label=_family_label(family),
                types=tuple(members),
                core20_without=reading.core20_without(local, members),
                headline=reading.headline(area_deciles, england_deciles, area, family, what),
                by_type=reading.by_type(area_deciles, labels, family),
                chart=decile_chart(
                    area_deciles,
                    england_deciles,
                    family,
                    area_name="England" if area.level == "england" else area.name,
                    title=f"{_family_label(family)} per 1,000 residents by IMD 2025 decile",
                ),
            )
        )
    progress(0.6, "Gap table and where to invest first")
    gaps = metrics.gap_table(table, area, types=types, need=need)
    ranking = invest.rank(table, area, None, need=need, by="lsoa")
    progress(0.7, "Change since 2019, hot and cold spots, deprivation and provision")
    classes = bivariate.classify(table, area, need=need)
    cells = bivariate.cell_counts(classes.table)
    by_code = local.set_index("lsoa21cd")
    spots = hotspots.cluster_summary(by_code, by_code["population"])
    moved = change.change_summary(table, area)
    progress(0.75, "Drawing the map")
    view = _map_view(inputs, area)
    overview = area.level in OVERVIEW_LEVELS
    map_png = map_image(
        view.shapes,
        view.classes,
        title=view.title,
        legend_title=measure_title(DEFAULT_MEASURE, area_level=overview),
        places=inputs.lad_layer,
        core20=None if overview else view.shapes["core20"].to_numpy(dtype=bool),
        attribution=ATTRIBUTION,
    )
    shapes = inputs.lsoa_shapes
    polygons = shapes[shapes["lsoa21cd"].isin(local["lsoa21cd"])]
    lsoas = gpd.GeoDataFrame(
        local.merge(polygons, on="lsoa21cd", how="left"), geometry="geometry", crs=shapes.crs
    ).to_crs(settings.CRS_STORE)
    built = str(inputs.manifest.get("built_at", ""))
    vintages = export.data_vintages(
        types, extra=CHANGE_SOURCES, upload=inputs.upload, built_at=built or None
    )
    progress(0.9, "Laying out the pages")
    return Pack(
        area=area,
        made_at=made_at or dt.datetime.now(dt.UTC),
        inputs=inputs,
        figures=reading.key_figures(local),
        england_figures=reading.key_figures(table),
        area_deciles=area_deciles,
        england_deciles=england_deciles,
        families=sections,
        gaps=gaps,
        thin=reading.thin_places(gaps),
        ranking=ranking,
        cells=cells,
        zero_asset_share=classes.zero_asset_share,
        spots=spots,
        moved=moved,
        lsoas=lsoas,
        view=view,
        map_png=map_png,
        vintages=vintages,
        link=view_link(area, inputs.types, need, base_url, families),
    )
