r"""The point-to-LSOA join and the asset counts on one machine or on a Dask cluster.

Planners bring point sets far larger than the open asset layers: every address (about 30 million
UPRNs in England), every OpenStreetMap point of interest, years of grant records. The same two
steps run on either engine and give identical answers:

1. **Join.** Each point gets the LSOA it lies in, by :class:`assetmap.geography.spatial.LsoaLocator`
(the
   exact grid index, with the nearest-LSOA fallback within ``settings.NEAREST_LSOA_MAX_M``). A
   point's answer depends on that point alone, so the join is *embarrassingly parallel*: cutting
   the points into partitions and joining each partition on its own gives, row for row, what one
   call on all points gives.
2. **Counts.** The number of points of each type in each LSOA,
   :math:`a_{i,t} = \sum_{p} [\text{lsoa}(p) = i]\,[\text{type}(p) = t]`, is a sum over points,
   so it is the sum of the partitions' counts,
   :math:`a_{i,t} = \sum_{k} a^{(k)}_{i,t}`, and integer sums are exact in any order. Each
   partition is counted with :func:`assetmap.measures.metrics.count_assets` itself and the tables
   are added. Everything after the counts (rates, national percentiles, gap scores, roll-ups) works
   on 33,755 LSOA rows whatever the number of points, so it runs on the client with
   :func:`assetmap.measures.metrics.lsoa_metrics` and :func:`assetmap.measures.metrics.rollup`
   unchanged.

With ``engine="dask"`` points are read from GeoParquet (one file or a folder of them, local or on
object storage) by dask-geopandas, sorted along a Hilbert curve (``spatial_shuffle``) so that
each output partition covers one compact piece of England, joined partition by partition, and
written back as partitioned GeoParquet whose per-file bounding boxes let a later reader skip
partitions. The locator (33,755 polygons and the grid arrays, a few tens of MB) is sent to every
worker once (``Client.scatter(broadcast=True)``), not once per partition; a worker prepares the
polygons for GEOS on first use and keeps them prepared.

The Dask engine needs the optional dependencies: ``pip install "assetmap[dask]"``. docs/DASK.md
explains how to run it on an existing cluster.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from assetmap import settings
from assetmap.data.assets import ASSET_SOURCES
from assetmap.geography.spatial import METHOD_NEAREST, METHOD_WITHIN, LsoaLocator
from assetmap.measures import metrics

if TYPE_CHECKING:
    import dask.dataframe as dd
    import dask_geopandas
    from distributed import Client

__all__ = [
    "ENGINES",
    "JOIN_COLUMNS",
    "JoinSummary",
    "count_assets",
    "dask_client",
    "join_file",
    "join_points",
    "locate_points",
    "lsoa_metrics",
    "read_points",
]

#: Engines of :func:`join_file`: ``"local"`` (one process, in memory) or ``"dask"``.
ENGINES: Final = ("local", "dask")

#: Columns the join adds to the points (see :meth:`assetmap.geography.spatial.LsoaLocator.locate`).
JOIN_COLUMNS: Final = ("lsoa21cd", "lsoa_method", "distance_to_lsoa_m")

# Text columns are pandas' string dtype with NaN for "none", on both engines, so they survive a
# Parquet round trip and compare equal whichever engine wrote them.
_TEXT: Final = "str"
_POINT_TYPE_ID: Final = 0  # shapely's type id of a Point (-1 is a missing geometry)


def _require_dask() -> None:
    try:
        import dask_geopandas  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:  # pragma: no cover - the extra is installed in CI
        raise ImportError(
            'the Dask engine needs the "dask" extra: pip install "assetmap[dask]" '
            f"(missing: {exc.name})"
        ) from exc


# ---------------------------------------------------------------------------------------- join


def locate_points(points: gpd.GeoDataFrame, locator: LsoaLocator) -> gpd.GeoDataFrame:
    """The points with the LSOA each lies in: the single-machine join.

    Parameters
    ----------
    points
        Point geometries in any CRS (reprojected to British National Grid for the join);
        missing or empty geometries get no LSOA.
    locator
        The LSOA locator (:meth:`assetmap.geography.spatial.LsoaLocator.load`).

    Returns
    -------
    geopandas.GeoDataFrame
        ``points`` (same index, same order, geometry unchanged) plus :data:`JOIN_COLUMNS`:
        ``lsoa21cd`` and ``lsoa_method`` (``"within"`` or ``"nearest"``) as strings, NaN when
        no LSOA lies within ``settings.NEAREST_LSOA_MAX_M``, and ``distance_to_lsoa_m``.

    Raises
    ------
    ValueError
        If ``points`` has no CRS or holds a geometry other than a point.
    """
    if points.crs is None:
        raise ValueError("the points have no CRS: set one (e.g. EPSG:27700 or EPSG:4326)")
    kinds = shapely.get_type_id(points.geometry.array)
    odd = np.flatnonzero((kinds != _POINT_TYPE_ID) & (kinds != -1))
    if odd.size:
        kind = shapely.get_type_id(points.geometry.iloc[odd[0]])
        raise ValueError(
            f"{odd.size:,} geometries are not points (the first, row {odd[0]:,}, has shapely "
            f"type id {kind}); join their centroids or representative points instead"
        )
    metric = points.geometry.to_crs(settings.CRS_METRIC)
    # A locator unpickled on a Dask worker has lost GEOS's prepared state; preparing is a no-op
    # for geometries already prepared, and the worker keeps them prepared for the next partition.
    shapely.prepare(locator.polygons)
    shapely.prepare(locator.index.polygons)
    found = locator.locate(shapely.get_x(metric.array), shapely.get_y(metric.array))
    out = points.copy()
    out["lsoa21cd"] = found["lsoa21cd"].to_numpy(dtype=object)
    out["lsoa21cd"] = out["lsoa21cd"].astype(_TEXT)
    out["lsoa_method"] = pd.Series(found["lsoa_method"].to_numpy(), index=out.index).astype(_TEXT)
    out["distance_to_lsoa_m"] = found["distance_to_lsoa_m"].to_numpy()
    return out


def _portable(locator: LsoaLocator) -> LsoaLocator:
    # A fresh locator without the lazily built STRtree: that is rebuilt where it is needed and
    # would only make the pickle sent to every worker larger.
    return LsoaLocator(locator.codes, locator.polygons, locator.index)


def _join_meta(meta: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return meta.assign(
        lsoa21cd=pd.Series([], dtype=_TEXT),
        lsoa_method=pd.Series([], dtype=_TEXT),
        distance_to_lsoa_m=pd.Series([], dtype="float64"),
    )


def join_points(
    points: dask_geopandas.GeoDataFrame,
    locator: Any,
    *,
    npartitions: int | None = None,
    shuffle: bool = True,
) -> dask_geopandas.GeoDataFrame:
    """The join on Dask: sort the points along a Hilbert curve, then join each partition.

    Parameters
    ----------
    points
        A dask-geopandas frame of point geometries (any CRS), e.g. from :func:`read_points`.
    locator
        An :class:`~assetmap.geography.spatial.LsoaLocator`, or better a future of one already on
        every worker (``client.scatter(locator, broadcast=True)``; :func:`join_file` does this), so
        it is not put into the task graph.
    npartitions
        Partitions after the shuffle; the input's count when ``None``.
    shuffle
        Sort the points spatially first (``spatial_shuffle(by="hilbert")``, Dask's P2P
        shuffle). Turn it off for input that is already spatially partitioned, e.g. the output
        of an earlier join.

    Returns
    -------
    dask_geopandas.GeoDataFrame
        Lazy: the points plus :data:`JOIN_COLUMNS`, exactly as :func:`locate_points` gives them
        for each point. After the shuffle the rows are in Hilbert order and the index is the
        Hilbert distance (carry an identifier column to match rows to the input).
    """
    _require_dask()
    frame = points
    if shuffle:
        frame = frame.spatial_shuffle(
            by="hilbert",
            npartitions=npartitions or frame.npartitions,
            calculate_partitions=False,  # computed from the written files' bounding boxes
            shuffle_method="p2p",
        )
    return frame.map_partitions(locate_points, locator, meta=_join_meta(frame._meta))


def read_points(path: str | Path, *, engine: str = "local") -> Any:
    """Read points from GeoParquet: one file or a folder of files (a partitioned dataset).

    Parameters
    ----------
    path
        A GeoParquet file or folder; with ``engine="dask"`` also a URL that fsspec understands
        (``s3://bucket/points/``).
    engine
        ``"local"``: a :class:`geopandas.GeoDataFrame`; ``"dask"``: a lazy
        ``dask_geopandas.GeoDataFrame``, one partition per row group.

    Returns
    -------
    geopandas.GeoDataFrame or dask_geopandas.GeoDataFrame
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if engine == "local":
        return gpd.read_parquet(path)
    _require_dask()
    import dask_geopandas

    return dask_geopandas.read_parquet(str(path), split_row_groups=True)


@contextmanager
def dask_client(
    scheduler: str | None = None,
    *,
    n_workers: int | None = None,
    memory_limit: str | None = None,
) -> Iterator[Client]:
    """A Dask client: connected to ``scheduler``, or to a new ``LocalCluster`` when ``None``.

    Parameters
    ----------
    scheduler
        Address of a running scheduler (``tcp://host:8786``).
    n_workers
        Worker processes of the local cluster (one thread each); ``settings.DASK_WORKERS``.
    memory_limit
        Memory limit of each local worker; ``settings.DASK_WORKER_MEMORY``.

    Yields
    ------
    distributed.Client
        Closed (and the local cluster shut down) on exit.
    """
    _require_dask()
    from distributed import Client, LocalCluster

    # Each P2P shuffle logs two WARNING lines ("initialized", "deactivated") that are not
    # warnings at all.
    logging.getLogger("distributed.shuffle._scheduler_plugin").setLevel(logging.ERROR)
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=n_workers or settings.DASK_WORKERS,
            threads_per_worker=1,
            processes=True,
            memory_limit=memory_limit or settings.DASK_WORKER_MEMORY,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@dataclass(frozen=True)
class JoinSummary:
    """What :func:`join_file` did.

    Attributes
    ----------
    engine
        ``"local"`` or ``"dask"``.
    n_points
        Points read.
    n_within
        Points inside an LSOA.
    n_nearest
        Points outside every LSOA but within ``settings.NEAREST_LSOA_MAX_M`` of one.
    n_partitions
        Partitions written (1 for the local engine).
    seconds
        Wall time from reading to the last file written (the locator load and, for Dask, the
        cluster start and the locator's transfer to the workers excluded).
    out
        Where the joined points were written.
    """

    engine: str
    n_points: int
    n_within: int
    n_nearest: int
    n_partitions: int
    seconds: float
    out: Path

    @property
    def n_unassigned(self) -> int:
        """Points with no LSOA."""
        return self.n_points - self.n_within - self.n_nearest

    @property
    def points_per_second(self) -> float:
        """Join throughput, reading and writing included."""
        return self.n_points / self.seconds if self.seconds else float("nan")


def _partitions_for(path: str | Path, current: int, n_workers: int) -> int:
    """About ``settings.DASK_POINTS_PER_PARTITION`` points each, and two per worker at least."""
    try:
        import pyarrow.dataset as ds

        rows = ds.dataset(str(path), format="parquet").count_rows()  # from the footers only
    except (OSError, ValueError):
        return max(current, 2 * n_workers)
    return max(-(-rows // settings.DASK_POINTS_PER_PARTITION), 2 * n_workers)


def _method_counts(counts: pd.Series) -> tuple[int, int]:
    return int(counts.get(METHOD_WITHIN, 0)), int(counts.get(METHOD_NEAREST, 0))


def join_file(
    points: str | Path,
    out: str | Path,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    n_workers: int | None = None,
    npartitions: int | None = None,
    shuffle: bool = True,
    locator: LsoaLocator | None = None,
    data_dir: Path | None = None,
    progress: bool = False,
    client: Client | None = None,
) -> JoinSummary:
    """Join the points of a GeoParquet file or folder to LSOAs and write them as GeoParquet.

    Parameters
    ----------
    points
        GeoParquet file or folder of point geometries (any CRS).
    out
        A path ending in ``.parquet`` gets one file; anything else is a folder of partitioned
        GeoParquet files (``part.<i>.parquet``), written by the workers themselves with the Dask
        engine (so it must be a place every worker can write: a shared folder or object
        storage).
    engine
        ``"local"`` or ``"dask"``.
    scheduler
        Dask scheduler address; a ``LocalCluster`` of ``n_workers`` is started when ``None``.
        Ignored when ``client`` is given.
    n_workers
        Workers of that local cluster.
    npartitions
        Output partitions of the Dask engine; by default one per
        ``settings.DASK_POINTS_PER_PARTITION`` points and at least two per worker.
    shuffle
        Sort spatially before joining (Dask engine); see :func:`join_points`.
    locator
        The LSOA locator; loaded from ``data_dir`` when ``None``.
    data_dir
        The build folder; ``settings.DATA_DIR`` by default.
    progress
        Show Dask's progress bar.
    client
        An existing Dask client to use instead of connecting or starting a cluster.

    Returns
    -------
    JoinSummary
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    locator = locator or LsoaLocator.load(data_dir)
    out_path = Path(out)
    single = out_path.suffix == ".parquet"
    if engine == "local":
        start = time.perf_counter()
        joined = locate_points(read_points(points), locator)
        if single:
            out_path.parent.mkdir(parents=True, exist_ok=True)
            joined.to_parquet(out_path)
        else:
            out_path.mkdir(parents=True, exist_ok=True)
            joined.to_parquet(out_path / "part.0.parquet")
        within, nearest = _method_counts(joined["lsoa_method"].value_counts())
        return JoinSummary(
            engine, len(joined), within, nearest, 1, time.perf_counter() - start, out_path
        )

    if client is None:
        with dask_client(scheduler, n_workers=n_workers) as own:
            return join_file(
                points,
                out,
                engine=engine,
                npartitions=npartitions,
                shuffle=shuffle,
                locator=locator,
                progress=progress,
                client=own,
            )
    workers = len(client.scheduler_info().get("workers", {})) or 1
    shipped = client.scatter(_portable(locator), broadcast=True, hash=False)
    start = time.perf_counter()
    frame = read_points(points, engine="dask")
    parts = npartitions or _partitions_for(points, frame.npartitions, workers)
    joined = join_points(frame, shipped, npartitions=parts, shuffle=shuffle)
    # With NaN kept, the counts also sum to the number of points: no second pass to count them.
    methods = joined["lsoa_method"].value_counts(dropna=False)
    if single:
        # One file means one writer: the partitions come back to this process.
        future = client.compute(joined)
        _show(future, progress)
        local = future.result()
        out_path.parent.mkdir(parents=True, exist_ok=True)
        local.to_parquet(out_path)
        counts = local["lsoa_method"].value_counts(dropna=False)
    else:
        write = joined.to_parquet(str(out_path), write_index=False, compute=False)
        futures = client.compute([write, methods])  # one graph: the points are joined once
        _show(futures, progress)
        _, counts = client.gather(futures)
    within, nearest = _method_counts(counts)
    n_points = int(counts.sum())
    return JoinSummary(
        engine, n_points, within, nearest, parts, time.perf_counter() - start, out_path
    )


def _show(futures: Any, progress: bool) -> None:
    if progress:
        from distributed import progress as bar

        bar(futures)
        print()  # the bar ends without a newline


# -------------------------------------------------------------------------------------- counts


def _add_counts(left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """Sum two tables of :func:`assetmap.measures.metrics.count_assets` (types missing in one count
    0)."""
    total = left.add(right, fill_value=0)
    known = [f"assets_{t}" for t in ASSET_SOURCES]
    # count_assets puts the open layers first, then other types sorted.
    order = known + sorted(c for c in total.columns if c not in known)
    return total[order].astype("int64")


def count_assets(assets: dd.DataFrame, lsoa_codes: pd.Series) -> pd.DataFrame:
    r""":func:`assetmap.measures.metrics.count_assets` on a Dask frame: counted per partition, then
    summed.

    .. math::

        a_{i,t} = \sum_{k} a^{(k)}_{i,t}

    where :math:`a^{(k)}_{i,t}` counts partition :math:`k`'s assets of type :math:`t` in LSOA
    :math:`i`. Counts are integers, so the sum is exact in any order.

    Parameters
    ----------
    assets
        Located assets with ``lsoa21cd`` and ``asset_type`` (e.g. the output of
        :func:`join_points` with a type column); rows without an LSOA are not counted.
    lsoa_codes
        The LSOAs to count for.

    Returns
    -------
    pandas.DataFrame
        Equal to ``metrics.count_assets(assets.compute(), lsoa_codes)``.
    """
    _require_dask()
    import dask
    from dask import delayed

    codes = delayed(pd.Series(lsoa_codes).reset_index(drop=True), pure=True)
    tables = [
        delayed(metrics.count_assets)(part, codes)
        for part in assets[["lsoa21cd", "asset_type"]].to_delayed()
    ]
    # A tree of pairwise sums: the client never holds more than the final table.
    while len(tables) > 1:
        pairs = [
            delayed(_add_counts)(a, b) for a, b in zip(tables[::2], tables[1::2], strict=False)
        ]
        tables = pairs + ([tables[-1]] if len(tables) % 2 else [])
    (total,) = dask.compute(tables[0])
    if not isinstance(total, pd.DataFrame):  # pragma: no cover
        raise TypeError("counting produced no table")
    return total


def lsoa_metrics(
    assets: dd.DataFrame,
    lsoas: pd.DataFrame,
    types: Sequence[str] | None = None,
    need: str = "imd",
) -> pd.DataFrame:
    """:func:`assetmap.measures.metrics.lsoa_metrics` with the assets counted on Dask.

    Parameters
    ----------
    assets
        Located assets with ``lsoa21cd`` and ``asset_type``, as a Dask frame.
    lsoas
        The LSOA table (all 33,755 rows).
    types
        Asset types in ``assets``; all open layers when ``None``.
    need
        Deprivation measure for the gap score.

    Returns
    -------
    pandas.DataFrame
        Equal to ``metrics.lsoa_metrics`` on the same assets counted in memory; roll it up to
        any level with :func:`assetmap.measures.metrics.rollup`.
    """
    counts = count_assets(assets, lsoas["lsoa21cd"])
    return metrics.lsoa_metrics(lsoas, counts, types=types, need=need)
