"""The Plan a site map (``assetmap.presentation.planmap``) on Hartlepool's real libraries: the
LSOAs coloured by the walking access given, the sites and closed assets marked, the LSOAs that
gain outlined, every name escaped, nothing fetched from the internet."""

from __future__ import annotations

from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import pytest

from assetmap import settings
from assetmap.data import store
from assetmap.geography.spatial import LsoaLocator
from assetmap.measures import access, siteplan, whatif
from assetmap.measures.near import Place
from assetmap.presentation import offline, planmap
from assetmap.presentation.layers import CompactPolygons, Legend, PointLayer
from tests.test_offline import resources

KIND = "library"
LAD = "Hartlepool"


@pytest.fixture(scope="module")
def setting(
    data_dir: Path, lsoas: pd.DataFrame, assets: pd.DataFrame, locator: LsoaLocator
) -> dict[str, object]:
    residence = store.load_residence(data_dir)
    population = lsoas.set_index("lsoa21cd")["population"]
    walk = access.access_metrics(residence, population, assets, types=[KIND]).table["walk_assets"]
    local = lsoas[lsoas["lad24nm"] == LAD]
    shapes = store.load_lsoas(geometry=True, columns=["lsoa21cd"])
    frame = gpd.GeoDataFrame(
        local.merge(shapes, on="lsoa21cd"), geometry="geometry", crs=shapes.crs
    )
    home = local.merge(residence, on="lsoa21cd")
    bare = home[(walk.reindex(home["lsoa21cd"]).to_numpy() == 0) & home["core20"].to_numpy()]
    target = bare.iloc[0]
    site = Place("<b>New hub</b>", float(target["res_easting"]), float(target["res_northing"]))
    mine = assets[(assets["asset_type"] == KIND) & assets["lsoa21cd"].isin(local["lsoa21cd"])]
    shut = str(mine["asset_id"].iloc[0])
    found = whatif.run(
        whatif.Scenario(KIND, add=(site,), close=(shut,)),
        lsoas=lsoas,
        assets=assets,
        residence=residence,
        locator=locator,
        types=[KIND],
    )
    return {
        "frame": frame,
        "walk": walk,
        "found": siteplan.local(found, local["lsoa21cd"]),
        "assets": mine.reset_index(drop=True),
        "site": site,
        "shut": shut,
        "target": str(target["lsoa21cd"]),
        "lads": store.load_layer("lad").query("lad24nm == @LAD"),
    }


def _draw(setting: dict[str, object], *, after: bool) -> folium.Map:
    found = setting["found"]
    assert isinstance(found, whatif.WhatIf)
    walk = setting["walk"]
    assert isinstance(walk, pd.Series)
    return planmap.plan_map(
        setting["frame"],
        siteplan.walk_after(walk, found) if after else walk,
        found,
        setting["assets"],  # type: ignore[arg-type]
        closed=[str(setting["shut"])],
        new_sites=[setting["site"]],  # type: ignore[list-item]
        new_site_label="public library",
        best=[("Best <i>one</i>", 450_000.0, 531_000.0)],
        distance_m=settings.WALK_DISTANCE_M,
        after=after,
        labels={KIND: "Public libraries"},
        lad_outlines=setting["lads"],
    )


def _points(m: folium.Map) -> dict[str, int]:
    return {c.layer_name: c.n_features for c in m._children.values() if isinstance(c, PointLayer)}


def test_after_the_scenario_the_site_is_marked_and_the_bare_lsoa_gains(
    setting: dict[str, object],
) -> None:
    m = _draw(setting, after=True)
    points = _points(m)
    assets = setting["assets"]
    assert isinstance(assets, pd.DataFrame)
    assert points["New sites (1)"] == 1
    assert points["Closed in this scenario (1)"] == 1
    assert points["Best sites (1)"] == 1
    # The open libraries, the closed one left out.
    assert sum(v for k, v in points.items() if "sites" not in k and "Closed" not in k) == (
        len(assets) - 1
    )
    legend = next(c for c in m._children.values() if isinstance(c, Legend))
    assert legend.title == "Walking access, after"
    gains = [label for _, label, _ in legend.extra if label.startswith("Gains an asset")]
    found = setting["found"]
    assert isinstance(found, whatif.WhatIf)
    n_gain = int(found.table["gains_access"].sum())
    assert gains == [f"Gains an asset within reach ({n_gain:,})"]
    assert setting["target"] in set(found.table.loc[found.table["gains_access"], "lsoa21cd"])
    html = m.get_root().render()
    assert "<b>New hub</b>" not in html
    assert "<i>one</i>" not in html
    assert not [u for u in resources(html) if offline.is_remote(u)]


def test_before_the_scenario_every_library_is_open_and_nothing_is_outlined(
    setting: dict[str, object],
) -> None:
    m = _draw(setting, after=False)
    legend = next(c for c in m._children.values() if isinstance(c, Legend))
    assert legend.title == "Walking access, before"
    assert not [label for _, label, _ in legend.extra if label.startswith(("Gains", "Loses"))]
    assets = setting["assets"]
    assert isinstance(assets, pd.DataFrame)
    points = _points(m)
    assert points["Closed in this scenario (1)"] == 1  # still shown, in grey
    # One shape per LSOA of the area, then the borders and the Core20 outline: no gain or
    # loss outlines before the scenario.
    frame = setting["frame"]
    assert isinstance(frame, gpd.GeoDataFrame)
    shapes = [c for c in m._children.values() if isinstance(c, CompactPolygons)]
    assert [c.n_features for c in shapes] == [len(frame), 1, 1]
