"""What an evidence pack is made from: England's neighbourhood table, the shapes and the manifest.

The dashboard already holds every piece in its caches and builds :class:`PackInputs` from them;
the command line and the benchmarks call :func:`load_inputs`, which reads the build and computes
the national table exactly as the pages do
(:func:`assetmap.measures.analysis.neighbourhood_metrics` over
:func:`assetmap.measures.metrics.lsoa_metrics`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd

from assetmap.data import store
from assetmap.data.assets import ASSET_SOURCES
from assetmap.measures import analysis, metrics

#: A progress callback: the share done (0 to 1) and what is being done, in words. Streamlit's
#: ``st.progress(value, text=...)`` bar's ``progress`` method has this shape.
Progress = Callable[[float, str], None]


def no_progress(done: float, what: str) -> None:
    """A :data:`Progress` that reports nothing."""


@dataclass(frozen=True)
class PackInputs:
    """Everything :func:`assetmap.presentation.report.build_pack` reads.

    Attributes
    ----------
    neighbourhoods
        :func:`assetmap.measures.analysis.neighbourhood_metrics` of all of England, for
        ``types`` and ``need``.
    lsoa_shapes
        LSOA polygons (``lsoa21cd``, geometry; EPSG:4326).
    lad_layer
        Local authority polygons and summaries (:func:`assetmap.data.store.load_layer`).
    manifest
        The build manifest (:func:`assetmap.data.store.load_manifest`): its build time.
    types
        The asset types counted.
    need
        The need measure (a key of :data:`assetmap.measures.metrics.NEED_MEASURES`).
    labels
        Asset type -> plural label; an open layer's own label when left out.
    families
        Family of the types that are not open layers (an upload's).
    upload
        The uploaded register's file name, when its types are counted.
    """

    neighbourhoods: analysis.Neighbourhoods
    lsoa_shapes: gpd.GeoDataFrame
    lad_layer: gpd.GeoDataFrame
    manifest: Mapping[str, Any]
    types: tuple[str, ...]
    need: str
    labels: Mapping[str, str] = field(default_factory=dict)
    families: Mapping[str, str] = field(default_factory=dict)
    upload: str | None = None

    def label(self, asset_type: str) -> str:
        """The plural label of an asset type."""
        if asset_type in self.labels:
            return self.labels[asset_type]
        source = ASSET_SOURCES.get(asset_type)
        return source.label if source else asset_type


def load_inputs(
    types: tuple[str, ...],
    need: str = "imd",
    data_dir: Path | None = None,
    progress: Progress = no_progress,
) -> PackInputs:
    """Read the build and compute England's neighbourhood table for ``types`` and ``need``.

    Parameters
    ----------
    types
        Open asset types to count (:func:`assetmap.data.assets.selected_types`).
    need
        The need measure.
    data_dir
        The build folder; ``settings.DATA_DIR`` when ``None``.
    progress
        Told the share done (0 to 0.5 of a whole pack) and the step.

    Returns
    -------
    PackInputs
    """
    progress(0.0, "Loading the neighbourhoods and assets")
    lsoas = store.load_lsoas(data_dir)
    assets = store.load_assets(data_dir)
    counts = metrics.count_assets(assets, lsoas["lsoa21cd"])
    frame = metrics.lsoa_metrics(lsoas, counts, types=list(types), need=need)
    progress(0.15, "Computing walking access, hot spots and change since 2019 for England")
    found = analysis.neighbourhood_metrics(
        frame,
        store.load_residence(data_dir),
        assets,
        store.load_contiguity(data_dir),
        types=list(types),
        need=need,
    )
    progress(0.45, "Loading the boundaries")
    shapes = store.load_lsoas(data_dir, geometry=True, columns=["lsoa21cd"])
    return PackInputs(
        neighbourhoods=found,
        lsoa_shapes=gpd.GeoDataFrame(shapes),
        lad_layer=store.load_layer("lad", data_dir),
        manifest=store.load_manifest(data_dir),
        types=tuple(types),
        need=need,
    )
