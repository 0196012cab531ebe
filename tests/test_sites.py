"""Best sites (``assetmap.measures.sites``): greedy maximal covering against exhaustive search."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assetmap.data import store
from assetmap.measures import access, sites


@pytest.fixture(scope="module")
def residence(data_dir: Path) -> pd.DataFrame:
    return store.load_residence(data_dir)


def _cover(
    lsoas: pd.DataFrame, assets: pd.DataFrame, residence: pd.DataFrame, kind: str, lad: str
) -> sites.Coverage:
    population = lsoas.set_index("lsoa21cd")["population"]
    walk = access.access_metrics(residence, population, assets, types=[kind]).table
    codes = lsoas.loc[lsoas["lad24nm"] == lad, "lsoa21cd"]
    demand = sites.core20_demand(lsoas, walk["walk_assets"], codes)
    return sites.coverage(sites.residence_candidates(residence, codes), demand, residence)


def _optimum(cover: sites.Coverage, k: int) -> float:
    """Exhaustive search, written out: every k candidates, on a dense reach matrix."""
    reach = cover.reach.toarray()
    weight = cover.demand["weight"].to_numpy(dtype="float64")
    return max(
        float(weight[np.logical_or.reduce(reach[list(c)])].sum())
        for c in itertools.combinations(range(len(reach)), k)
    )


def test_greedy_finds_the_optimum_where_exhaustive_search_does(
    lsoas: pd.DataFrame, assets: pd.DataFrame, residence: pd.DataFrame
) -> None:
    # Hartlepool's 57 LSOAs as candidates, two new libraries: 1,596 pairs to try.
    cover = _cover(lsoas, assets, residence, "library", "Hartlepool")
    chosen = sites.greedy(cover, 2)
    assert chosen["covered"].iloc[-1] == _optimum(cover, 2) > 0


def test_greedy_keeps_its_guarantee_where_it_misses_the_optimum(
    lsoas: pd.DataFrame, assets: pd.DataFrame, residence: pd.DataFrame
) -> None:
    # Blackpool, three new sports clubs: greedy's first pick is not part of the best triple.
    cover = _cover(lsoas, assets, residence, "sports_club", "Blackpool")
    got = sites.greedy(cover, 3)["covered"].iloc[-1]
    best = _optimum(cover, 3)
    assert got < best  # the check can tell greedy from optimal
    assert got >= (1 - 1 / math.e) * best


def test_greedy_beats_the_most_deprived_first_rule_and_its_gains_shrink(
    lsoas: pd.DataFrame, assets: pd.DataFrame, residence: pd.DataFrame
) -> None:
    cover = _cover(lsoas, assets, residence, "library", "Knowsley")
    chosen = sites.greedy(cover, 5)
    naive = sites.naive_rule(cover, lsoas, 5)
    assert len(naive) == 5
    assert chosen["covered"].iloc[-1] >= sites.covered(cover, naive)
    assert (np.diff(chosen["gain"]) <= 0).all()  # submodular: each site adds no more than before
    at = pd.Index(cover.candidates["candidate"]).get_indexer(chosen["candidate"])
    assert sites.covered(cover, list(at)) == chosen["covered"].iloc[-1]
    # Demand is the Core20 residents with no library within walking distance today.
    assert (
        cover.demand["weight"].sum()
        == lsoas.set_index("lsoa21cd").loc[cover.demand["lsoa21cd"], "population"].sum()
    )
    with pytest.raises(ValueError, match="k must be at least 1"):
        sites.greedy(cover, 0)


def test_cli_sites_writes_the_greedy_choice_as_points(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from assetmap import cli

    out = tmp_path / "sites.csv"
    args = ["sites", "--area", "lad:Hartlepool", "--type", "library", "--k", "2", "--out", str(out)]
    assert cli.main(args) == 0
    written = pd.read_csv(out, encoding="utf-8-sig")
    assert list(written["pick"]) == [1, 2]
    assert "Core20 residents with none within reach today" in capsys.readouterr().err
