"""What the Plan a site page reports (``assetmap.measures.siteplan``), against distances from
every residence point to every asset worked out here with numpy."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assetmap import settings
from assetmap.data import store
from assetmap.geography.spatial import LsoaLocator
from assetmap.measures import access, siteplan, whatif
from assetmap.measures.near import Place

D = settings.WALK_DISTANCE_M
KIND = "library"


@pytest.fixture(scope="module")
def residence(data_dir: Path) -> pd.DataFrame:
    return store.load_residence(data_dir)


@pytest.fixture(scope="module")
def libraries(assets: pd.DataFrame) -> pd.DataFrame:
    return assets[assets["asset_type"] == KIND].reset_index(drop=True)


@pytest.fixture(scope="module")
def walk(lsoas: pd.DataFrame, residence: pd.DataFrame, assets: pd.DataFrame) -> pd.Series:
    """The library's ``walk_assets`` per LSOA, as the page gets it."""
    population = lsoas.set_index("lsoa21cd")["population"]
    return access.access_metrics(residence, population, assets, types=[KIND]).table["walk_assets"]


def _area(lsoas: pd.DataFrame, residence: pd.DataFrame, lad: str) -> pd.DataFrame:
    return lsoas[lsoas["lad24nm"] == lad].merge(residence, on="lsoa21cd")


def _within(homes: pd.DataFrame, points: np.ndarray) -> np.ndarray:
    """For each home, how many of ``points`` (n x 2, BNG) are within the walking distance."""
    if not len(points):
        return np.zeros(len(homes), dtype=np.int64)
    h = homes[["res_easting", "res_northing"]].to_numpy(dtype="float64")
    d = np.hypot(h[:, None, 0] - points[None, :, 0], h[:, None, 1] - points[None, :, 1])
    return (d <= D).sum(axis=1)


def _xy(frame: pd.DataFrame, x: str = "easting", y: str = "northing") -> np.ndarray:
    return frame[[x, y]].to_numpy(dtype="float64")


def test_a_site_at_a_bare_core20_lsoa_gives_it_access_and_the_map_counts_follow(
    lsoas: pd.DataFrame,
    residence: pd.DataFrame,
    assets: pd.DataFrame,
    libraries: pd.DataFrame,
    locator: LsoaLocator,
    walk: pd.Series,
) -> None:
    area = _area(lsoas, residence, "Hartlepool")
    before = _within(area, _xy(libraries))
    assert (before == walk.reindex(area["lsoa21cd"]).to_numpy()).all()
    target = area[(before == 0) & area["core20"].to_numpy()].iloc[0]
    site = Place("here", float(target["res_easting"]), float(target["res_northing"]))
    found = whatif.run(
        whatif.Scenario(KIND, add=(site,)),
        lsoas=lsoas,
        assets=assets,
        residence=residence,
        locator=locator,
        types=[KIND],
    )
    local = siteplan.local(found, area["lsoa21cd"])
    assert set(local.table["lsoa21cd"]) <= set(area["lsoa21cd"])
    gaining = siteplan.core20_gaining(local)
    assert target["lsoa21cd"] in set(gaining["lsoa21cd"])
    after = before + _within(area, np.array([[site.easting, site.northing]]))
    expected = area.loc[(before == 0) & (after >= 1) & area["core20"].to_numpy()]
    assert set(gaining["lsoa21cd"]) == set(expected["lsoa21cd"])
    assert gaining["imd_decile"].is_monotonic_increasing
    # Every LSOA's count after the scenario, for the map.
    mapped = siteplan.walk_after(walk, found).reindex(area["lsoa21cd"]).to_numpy()
    assert (mapped == after).all()
    untouched = walk.index.difference(pd.Index(found.table["lsoa21cd"]))
    assert (siteplan.walk_after(walk, found)[untouched] == walk[untouched]).all()


def test_closing_every_library_of_an_area_leaves_its_map_bare_where_none_is_near(
    lsoas: pd.DataFrame,
    residence: pd.DataFrame,
    assets: pd.DataFrame,
    libraries: pd.DataFrame,
    locator: LsoaLocator,
    walk: pd.Series,
) -> None:
    area = _area(lsoas, residence, "Hartlepool")
    shut = libraries[libraries["lsoa21cd"].isin(area["lsoa21cd"])]
    found = whatif.run(
        whatif.Scenario(KIND, close=tuple(shut["asset_id"])),
        lsoas=lsoas,
        assets=assets,
        residence=residence,
        locator=locator,
        types=[KIND],
    )
    left = libraries[~libraries["asset_id"].isin(shut["asset_id"])]
    expected = _within(area, _xy(left))
    mapped = siteplan.walk_after(walk, found).reindex(area["lsoa21cd"]).to_numpy()
    assert (mapped == expected).all()
    assert siteplan.core20_gaining(siteplan.local(found, area["lsoa21cd"])).empty


def test_walk_bands() -> None:
    values = np.array([0, 1, 2, 3, 4, 17, np.nan])
    assert siteplan.walk_class(values).tolist() == [0, 1, 2, 2, 3, 3, -1]
    assert [low for _, low in siteplan.WALK_BANDS] == [0, 1, 2, 4]


def test_the_nearest_asset_to_a_click(libraries: pd.DataFrame) -> None:
    some = libraries.iloc[:500].reset_index(drop=True)
    lib = some.iloc[123]
    click = Place("click", float(lib["easting"]) + 30.0, float(lib["northing"]) - 40.0)
    xy = some[["easting", "northing"]].to_numpy(dtype="float64")
    d = np.hypot(xy[:, 0] - click.easting, xy[:, 1] - click.northing)
    assert siteplan.nearest_asset(some, click, 250.0) == int(np.argmin(d))
    far = Place("far", 0.0, 0.0)
    assert siteplan.nearest_asset(some, far, 250.0) is None
    assert siteplan.nearest_asset(some.iloc[:0], click, 250.0) is None


@pytest.mark.parametrize("lad", ["Hartlepool", "Blackpool", "Knowsley", "Middlesbrough"])
def test_best_sites_reach_what_they_say_and_at_least_what_the_naive_rule_does(
    lsoas: pd.DataFrame, residence: pd.DataFrame, libraries: pd.DataFrame, walk: pd.Series, lad: str
) -> None:
    area = _area(lsoas, residence, lad)
    need = (_within(area, _xy(libraries)) == 0) & area["core20"].to_numpy()
    weight = area["population"].to_numpy() * need
    assert weight.sum() > 0
    for k in (1, 3, 5):
        best = siteplan.best_sites(lsoas, residence, walk, area["lsoa21cd"], k)
        assert best.demand == weight.sum()
        assert len(best.chosen) <= k
        homes = area.set_index("lsoa21cd").loc[best.chosen["candidate"]]
        reached = _within(area, _xy(homes, "res_easting", "res_northing")) > 0
        assert best.covered == weight[reached].sum()
        assert best.chosen["gain"].sum() == best.covered
        # The naive rule: the k most deprived LSOAs in need, a site at each one's home.
        worst = area[need].nsmallest(k, "imd_rank")
        assert best.naive["candidate"].tolist() == worst["lsoa21cd"].tolist()
        naive_reach = _within(area, _xy(worst, "res_easting", "res_northing")) > 0
        assert best.naive_covered == weight[naive_reach].sum()
        assert best.covered >= best.naive_covered
    # k = 1: greedy is the best single site, checked against every candidate.
    one = siteplan.best_sites(lsoas, residence, walk, area["lsoa21cd"], 1)
    singles = [
        weight[_within(area, _xy(area.iloc[[i]], "res_easting", "res_northing")) > 0].sum()
        for i in range(len(area))
    ]
    assert one.covered == max(singles)


def test_best_sites_from_a_candidate_list_match_exhaustive_search(
    lsoas: pd.DataFrame, residence: pd.DataFrame, libraries: pd.DataFrame, walk: pd.Series
) -> None:
    area = _area(lsoas, residence, "Hartlepool")
    need = (_within(area, _xy(libraries)) == 0) & area["core20"].to_numpy()
    weight = area["population"].to_numpy() * need
    # Eight candidates: a grid across the area's residence points.
    xs = np.linspace(area["res_easting"].min(), area["res_easting"].max(), 4)
    ys = np.linspace(area["res_northing"].min(), area["res_northing"].max(), 2)
    grid = pd.DataFrame(
        [(f"grid {i}", x, y) for i, (x, y) in enumerate(itertools.product(xs, ys))],
        columns=["candidate", "easting", "northing"],
    )
    reach = [_within(area, _xy(grid.iloc[[i]])) > 0 for i in range(len(grid))]
    for k in (1, 2):
        best = siteplan.best_sites(lsoas, residence, walk, area["lsoa21cd"], k, candidates=grid)
        optimum = max(
            weight[np.logical_or.reduce([reach[i] for i in pick])].sum()
            for pick in itertools.combinations(range(len(grid)), k)
        )
        assert best.covered == optimum
        assert set(best.chosen["candidate"]) <= set(grid["candidate"])
    # Candidates no one in need lives near: nothing is chosen.
    far = grid.assign(easting=grid["easting"] + 50_000.0)
    none = siteplan.best_sites(lsoas, residence, walk, area["lsoa21cd"], 3, candidates=far)
    assert none.chosen.empty
    assert none.covered == 0.0
