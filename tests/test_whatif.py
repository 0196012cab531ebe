"""What-if scenarios (``assetmap.measures.whatif``) against distances computed in the test."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assetmap import settings
from assetmap.data import store
from assetmap.geography.spatial import LsoaLocator
from assetmap.measures import whatif
from assetmap.measures.near import Place

TYPES = ["library"]


@pytest.fixture(scope="module")
def residence(data_dir: Path) -> pd.DataFrame:
    return store.load_residence(data_dir)


def _run(
    scenario: whatif.Scenario,
    lsoas: pd.DataFrame,
    assets: pd.DataFrame,
    residence: pd.DataFrame,
    locator: LsoaLocator,
) -> whatif.WhatIf:
    return whatif.run(
        scenario, lsoas=lsoas, assets=assets, residence=residence, locator=locator, types=TYPES
    )


def _no_library_within_reach(assets: pd.DataFrame, residence: pd.DataFrame) -> pd.Series:
    """Whether each LSOA's residence point has no library within the walking distance, worked
    out directly (every residence point against every library)."""
    libs = assets.loc[assets["asset_type"] == "library", ["easting", "northing"]].to_numpy()
    homes = residence[["res_easting", "res_northing"]].to_numpy()
    count = np.zeros(len(homes), dtype=np.int64)
    for start in range(0, len(homes), 2_000):  # in blocks, to keep the distance matrix small
        h = homes[start : start + 2_000]
        d = np.hypot(h[:, None, 0] - libs[None, :, 0], h[:, None, 1] - libs[None, :, 1])
        count[start : start + 2_000] = (d <= settings.WALK_DISTANCE_M).sum(axis=1)
    return pd.Series(count == 0, index=residence["lsoa21cd"])


def test_a_site_where_a_core20_lsoa_has_none_gives_it_access_and_the_gainers_are_exact(
    lsoas: pd.DataFrame, assets: pd.DataFrame, residence: pd.DataFrame, locator: LsoaLocator
) -> None:
    without = _no_library_within_reach(assets, residence)
    core20 = lsoas.set_index("lsoa21cd")["core20"]
    target = next(c for c in residence["lsoa21cd"] if without[c] and core20[c])
    home = residence.set_index("lsoa21cd").loc[target]
    site = Place(target, float(home["res_easting"]), float(home["res_northing"]))
    found = _run(whatif.Scenario("library", add=(site,)), lsoas, assets, residence, locator)
    row = found.table.set_index("lsoa21cd").loc[target]
    assert row["walk_assets_before"] == 0
    assert row["walk_assets_after"] == 1
    assert bool(row["gains_access"])
    assert row["assets_after"] == row["assets_before"] + 1  # the site is inside its own LSOA
    assert row["gap_score_after"] < row["gap_score_before"]
    # Gainers: no library within reach before, and the new site within reach of their homes.
    reach = np.hypot(
        residence["res_easting"].to_numpy() - site.easting,
        residence["res_northing"].to_numpy() - site.northing,
    )
    expected = set(residence.loc[reach <= settings.WALK_DISTANCE_M, "lsoa21cd"])
    expected = {c for c in expected if without[c]}
    gained = set(found.table.loc[found.table["gains_access"], "lsoa21cd"])
    assert gained == expected
    people = whatif.by_decile(found)
    pop = lsoas.set_index("lsoa21cd")["population"]
    assert people["residents_gaining"].sum() == pop[list(expected)].sum()
    assert people["residents_losing"].sum() == 0


def test_closing_every_library_leaves_no_access(
    lsoas: pd.DataFrame, assets: pd.DataFrame, residence: pd.DataFrame, locator: LsoaLocator
) -> None:
    every = tuple(assets.loc[assets["asset_type"] == "library", "asset_id"])
    found = _run(whatif.Scenario("library", close=every), lsoas, assets, residence, locator)
    assert (found.table["walk_assets_after"] == 0).all()
    assert (found.table["fca_per_1k_after"] == 0).all()
    assert (found.table["assets_after"] == 0).all()
    had = ~_no_library_within_reach(assets, residence)
    losers = set(found.table.loc[found.table["loses_access"], "lsoa21cd"])
    assert losers == set(had[had].index)


def test_a_scenario_that_cannot_run_says_why(
    lsoas: pd.DataFrame, assets: pd.DataFrame, residence: pd.DataFrame, locator: LsoaLocator
) -> None:
    with pytest.raises(whatif.ScenarioError, match="no asset to close has the id library:nope"):
        _run(whatif.Scenario("library", close=("library:nope",)), lsoas, assets, residence, locator)
    at_sea = Place("Irish Sea", 250_000.0, 450_000.0)
    with pytest.raises(whatif.ScenarioError, match="Irish Sea is not in an English"):
        _run(whatif.Scenario("library", add=(at_sea,)), lsoas, assets, residence, locator)
    with pytest.raises(whatif.ScenarioError, match="not counted here"):
        _run(whatif.Scenario("museum"), lsoas, assets, residence, locator)


def test_cli_whatif_refuses_a_site_outside_the_area_and_reports_gainers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from assetmap import cli

    args = ["whatif", "--area", "lad:Blackpool", "--add", "L4 0TH", "--type", "library"]
    assert cli.main(args) == 2
    assert "L4 0TH is outside" in capsys.readouterr().err
    args = ["whatif", "--area", "lad:Liverpool", "--add", "L4 0TH", "--type", "library"]
    assert cli.main([*args, "--what", "deciles"]) == 0
    err = capsys.readouterr().err
    assert "1 new and 0 closed library" in err
    assert "gain one" in err
