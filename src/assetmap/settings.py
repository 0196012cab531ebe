"""Settings in one place: paths, environment variables, CRS and method constants.

Every other module reads its paths and thresholds from here, so a notebook user can change one
value (``assetmap.settings.WALK_DISTANCE_M = 1000``) and every function follows.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root (``src/assetmap/settings.py`` -> two levels up), used for default paths.
PROJECT_ROOT: Path = Path(__file__).resolve().parents[2]

#: Folder of raw inputs (``SOURCES.md``, ``SHA256SUMS`` and the files they list). Read-only.
SOURCE_DIR: Path = Path(
    os.environ.get("ASSETMAP_SOURCE_DIR", str(PROJECT_ROOT.parent / "shared" / "data"))
).resolve()

#: Folder the build writes to and every reader reads from.
DATA_DIR: Path = Path(os.environ.get("ASSETMAP_DATA_DIR", str(PROJECT_ROOT / "data"))).resolve()

#: Coordinate reference systems: store and serve WGS84; measure in British National Grid metres.
CRS_STORE: str = "EPSG:4326"
CRS_METRIC: str = "EPSG:27700"

#: LSOA 2021 codes in England start with this prefix (Welsh ones with ``W01``).
ENGLAND_LSOA_PREFIX: str = "E01"

#: A postcode or asset point that falls outside every (coast-clipped) LSOA polygon is assigned to
#: the nearest LSOA when it lies within this many metres, and flagged; further out it is reported.
NEAREST_LSOA_MAX_M: float = 500.0

#: Most deprived 20% of LSOAs nationally (IMD deciles 1-2): NHS England's Core20 population.
CORE20_MAX_DECILE: int = 2

#: Tolerances (metres) for ``shapely.coverage_simplify`` of the area layers, by level. The LSOA
#: layer itself is not simplified here: it is already simplified by its publisher.
SIMPLIFY_TOLERANCE_M: dict[str, float] = {
    "sicbl": 60.0,
    "icb": 120.0,
    "lad": 60.0,
    "region": 250.0,
    "england": 500.0,
}

#: Cell size (metres) of the coarse level of the point-in-LSOA grid index.
GRID_CELL_M: float = 400.0

#: Cap on the number of close matches listed when an area name or code is not found.
CLOSE_MATCHES: int = 5

#: Uploaded asset registers (:mod:`assetmap.ingest`): the largest file accepted, in megabytes
#: (1 MB = 1,048,576 bytes). The one limit for the command line and the dashboard:
#: :func:`assetmap.ingest.check_size` applies it with the one message both show. Streamlit's own
#: ``server.maxUploadSize`` in ``.streamlit/config.toml`` is set a little above it (51), so a file
#: just over the limit reaches the page and is refused by that check, not by the browser with a
#: message of its own (only a file over 51 MB still meets Streamlit's).
UPLOAD_MAX_MB: int = 50

#: Longest own area (:mod:`assetmap.geography.ownarea`) kept in a link, in characters of its
#: ``own:E01…,E01…`` reference (about 150 LSOAs): a link that long still opens in every browser
#: and pastes into e-mail. A larger own area is shared as its GeoJSON file.
OWN_AREA_URL_MAX_CHARS: int = 1_500

#: The dashboard's public address, for the link in an evidence pack that reopens its view (the
#: dashboard itself uses the address its visitor's browser shows).
DASHBOARD_URL: str = os.environ.get("ASSETMAP_DASHBOARD_URL", "http://localhost:8501/")

#: A browser's last mapped upload is kept on the server's disk (:mod:`assetmap.data.uploadstore`)
#: for at most this many minutes, so a reload or a server restart within that time restores it; 0
#: keeps uploads in the session's memory only.
UPLOAD_KEEP_MINUTES: int = 60

#: Cap (megabytes) on all kept uploads together: past it, the oldest are deleted first.
UPLOAD_KEEP_MAX_MB: int = 500

#: Most data rows (or GeoJSON features) one upload may hold.
UPLOAD_MAX_ROWS: int = 200_000

#: Most lines of data one text upload may hold: a row whose quoted value holds line breaks spans
#: several, and each line is accounted for (mapped with its row or reported on its own).
UPLOAD_MAX_LINES: int = 400_000

#: Most columns (or GeoJSON property names) one upload may hold.
UPLOAD_MAX_COLUMNS: int = 500

#: Most values (rows x columns) one upload may hold: bounds memory whatever the file's shape.
UPLOAD_MAX_CELLS: int = 20_000_000

#: Longest value accepted in a column the upload uses (name, postcode, coordinates, type, id,
#: address). A longer value is reported with its row, never cut short silently.
UPLOAD_MAX_CELL_CHARS: int = 1_000

#: An Excel workbook is a zip archive: the most it may unpack to (a guard against zip bombs).
UPLOAD_MAX_UNZIPPED_MB: int = 500

#: An open layer's row with both a postcode and the publisher's own coordinates is mapped with a
#: warning when the two points lie further apart than this (metres).
SOURCE_POSTCODE_MISMATCH_M: float = 1_000.0

#: A row located by its coordinates whose own postcode lies further away than this gets a warning.
UPLOAD_POSTCODE_MISMATCH_M: float = 2_000.0

#: "Few assets" (:func:`assetmap.measures.change.few_assets`): an LSOA with no asset of the chosen
#: types, or with a national provision percentile at or below this (the least-provided third, the
#: same cut as provision tertile 1 of a bivariate need x provision map).
FEW_ASSETS_MAX_PROVISION_PERCENTILE: float = 100 / 3

#: "Where to invest first" (:mod:`assetmap.measures.invest`): default length of the short list, and
#: the N of "stays in the top N" in the stability measure.
INVEST_TOP_N: int = 20

#: Number of weight vectors drawn around the user's weights to measure how stable a rank is.
INVEST_STABILITY_DRAWS: int = 500

#: Dirichlet concentration of those draws: weights are drawn from Dirichlet(kappa x w), w the
#: user's weights scaled to sum to 1. Larger is closer to w; 50 moves each of four equal weights
#: by about +/- 0.06 (one standard deviation).
INVEST_STABILITY_CONCENTRATION: float = 50.0

#: Seed of the stability draws, so the same choices give the same figures.
INVEST_STABILITY_SEED: int = 20250

#: Percentiles of an LSOA's rank over the draws reported as its rank range.
INVEST_RANK_RANGE: tuple[float, float] = (5.0, 95.0)

#: A criterion is named among an LSOA's reasons when its 0-100 criterion percentile is at least
#: this (worse than this share of England's LSOAs) and its weight is positive.
INVEST_REASON_MIN_PERCENTILE: float = 50.0

#: Walking distance (metres, straight line in British National Grid) for ``walk_assets`` in
#: :mod:`assetmap.measures.access`: 800 m is about a 10-minute walk at 4.8 km/h.
WALK_DISTANCE_M: float = 800.0

#: Catchment (metres) of the two-step floating catchment area ratio ``fca_per_1k``; ``None``
#: uses the walking distance.
FCA_DISTANCE_M: float | None = None

#: Dask engine (:mod:`assetmap.measures.distributed`): workers of the ``LocalCluster`` started when
#: no scheduler address is given (one thread each, so each worker uses one core).
DASK_WORKERS: int = 2

#: Memory limit of each ``LocalCluster`` worker (Dask spills to disk above 60% of it).
DASK_WORKER_MEMORY: str = "2GiB"

#: Points per partition aimed at when the Dask engine chooses the number of partitions: large
#: enough that the per-task overhead (tens of milliseconds) is small beside the join itself.
DASK_POINTS_PER_PARTITION: int = 1_000_000

#: Hot and cold spots (:mod:`assetmap.measures.hotspots`): conditional permutations per LSOA for the
#: local Moran's I of the gap score. 999 resolves two-sided p-values down to 0.002 and takes a few
#: seconds for all of England (see bench/bench_hotspots.py).
HOTSPOT_PERMUTATIONS: int = 999

#: False discovery rate (Benjamini-Hochberg) at which a hot or cold spot is called significant.
HOTSPOT_ALPHA: float = 0.05

#: Seed of the hot-spot permutations, so the same data always give the same map.
HOTSPOT_SEED: int = 20_251
