"""Change since 2019 and "where to invest first" (with the stability draws), once inputs are loaded.

Times, for Cheshire and Merseyside ICB (E54000008, 1,601 LSOAs) and for England: the decile
change with its summary and per-LSOA table, then :func:`assetmap.measures.invest.rank` with all four
criteria (deprivation, provision, walking access, cold spot; their inputs computed beforehand)
and ``settings.INVEST_STABILITY_DRAWS`` weight draws. Target: < 0.5 s for the ICB (issue 6).
The baseline is the plain way of doing the stability step: a loop over the draws ranking each
one with pandas.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from assetmap import settings
from assetmap.data import store
from assetmap.data.assets import ASSET_SOURCES
from assetmap.geography import areas
from assetmap.measures import access, change, hotspots, invest, metrics

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script too
from bench.common import Result, report

ICB = areas.Area("icb", "E54000008", "NHS Cheshire and Merseyside Integrated Care Board")
TARGET_ICB_S = 0.5
TARGET_ENGLAND_S = 5.0
#: Need measure of the benchmark's metrics.
NEED = "imd"


def _inputs() -> pd.DataFrame:
    lsoas = store.load_lsoas()
    assets = store.load_assets()
    types = list(ASSET_SOURCES)
    counts = metrics.count_assets(assets, lsoas["lsoa21cd"])
    frame = metrics.lsoa_metrics(lsoas, counts, types=types, need=NEED)
    found = access.access_metrics(
        store.load_residence(),
        lsoas.set_index("lsoa21cd")["population"],
        assets,
        types=types,
    )
    clusters = hotspots.local_gap_clusters(frame, store.load_contiguity())
    return frame.join(found.table, on="lsoa21cd").join(
        clusters.table[["gap_cluster_p", "gap_cluster"]], on="lsoa21cd"
    )


def _both(frame: pd.DataFrame, area: areas.Area) -> Callable[[], object]:
    def run() -> object:
        changed = change.decile_change(frame)
        change.change_summary(changed, area)
        change.change_table(changed, area)
        return invest.rank(changed, area, need=NEED)

    return run


def _median(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _naive_stability(frame: pd.DataFrame, area: areas.Area) -> Callable[[], object]:
    # The straightforward version: one pandas ranking per weight draw.
    ranking = invest.rank(frame, area, need=NEED, draws=1)
    ranked = ranking.table
    cols = [f"invest_{k}" for k in ranking.criteria]
    w = np.array(list(ranking.weights.values()))
    rng = np.random.default_rng(settings.INVEST_STABILITY_SEED)
    draws = rng.dirichlet(
        settings.INVEST_STABILITY_CONCENTRATION * w, settings.INVEST_STABILITY_DRAWS
    )

    def run() -> object:
        ranks = []
        for weights in draws:
            score = (ranked[cols] * weights).sum(axis=1) / weights.sum()
            ranks.append(score.rank(ascending=False, method="first"))
        table = pd.concat(ranks, axis=1)
        return (table <= settings.INVEST_TOP_N).mean(axis=1), table.quantile([0.05, 0.95], axis=1)

    return run


def main() -> int:
    frame = _inputs()
    n_icb = int((frame["icb24cd"] == ICB.code).sum())
    icb = _median(_both(frame, ICB), repeat=7)
    naive = _median(_naive_stability(frame, ICB), repeat=3)
    stab = _median(lambda: invest.rank(frame, ICB, need=NEED), repeat=7)
    england = _median(_both(frame, areas.ENGLAND), repeat=3)
    draws = settings.INVEST_STABILITY_DRAWS
    results = [
        Result(
            f"change + invest, {ICB.name} ({n_icb:,} LSOAs, {draws} draws)",
            f"{icb:.3f} s",
            target=f"< {TARGET_ICB_S} s",
            ok=icb < TARGET_ICB_S,
        ),
        Result(
            f"invest with stability, {ICB.name}",
            f"{stab:.3f} s",
            baseline=f"{naive:.3f} s (pandas loop over draws, stability only)",
            ratio=f"{naive / stab:.1f}x faster",
            target="for the record",
        ),
        Result(
            f"change + invest, England ({len(frame):,} LSOAs, {draws} draws)",
            f"{england:.3f} s",
            target=f"< {TARGET_ENGLAND_S} s",
            ok=england < TARGET_ENGLAND_S,
        ),
    ]
    return report(results, "Change since 2019 and where to invest first", source="bench_invest")


if __name__ == "__main__":
    sys.exit(main())
