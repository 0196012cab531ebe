"""The Plan a site page through Streamlit's AppTest on the real build: sites added by postcode,
assets closed, the scenario in the link, best sites, and bad input told apart from a crash.

Every figure the page shows is checked against distances worked out here, residence point by
asset, with numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from assetmap import settings
from assetmap.data import dictionary, store
from assetmap.geography.geocode import PostcodeDirectory
from assetmap.geography.spatial import LsoaLocator
from assetmap.measures import scenariofile, whatif
from assetmap.measures.near import Place
from assetmap.presentation.text import markdown_text

APP = str(settings.PROJECT_ROOT / "app.py")
PAGE = "pages/7_Plan_a_site.py"
LAD = "E06000001"  # Hartlepool
AREA = f"lad:{LAD}"
D = settings.WALK_DISTANCE_M


def _open(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def residence(data_dir: Path) -> pd.DataFrame:
    return store.load_residence(data_dir)


@pytest.fixture(scope="module")
def area(lsoas: pd.DataFrame, residence: pd.DataFrame) -> pd.DataFrame:
    """Hartlepool's LSOAs with their residence points."""
    return lsoas[lsoas["lad24cd"] == LAD].merge(residence, on="lsoa21cd")


@pytest.fixture(scope="module")
def libraries(assets: pd.DataFrame) -> pd.DataFrame:
    return assets[assets["asset_type"] == "library"].reset_index(drop=True)


def _within(homes: pd.DataFrame, points: np.ndarray) -> np.ndarray:
    """How many of ``points`` (n x 2, BNG) lie within the walking distance of each home."""
    if not len(points):
        return np.zeros(len(homes), dtype=np.int64)
    h = homes[["res_easting", "res_northing"]].to_numpy(dtype="float64")
    d = np.hypot(h[:, None, 0] - points[None, :, 0], h[:, None, 1] - points[None, :, 1])
    return (d <= D).sum(axis=1)


def _metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert len(found) == 1, [m.label for m in at.metric]
    return found[0]


def _texts(elements: object) -> str:
    return " ".join(str(e.value) for e in elements)  # type: ignore[attr-defined]


def test_england_asks_for_an_area(data_dir: Path) -> None:
    at = _open()
    assert "Choose an area in the sidebar" in _texts(at.info)
    assert not at.dataframe


def test_a_postcode_then_a_closure_report_who_gains_and_who_loses(
    area: pd.DataFrame, libraries: pd.DataFrame, postcodes: PostcodeDirectory
) -> None:
    xy = libraries[["easting", "northing"]].to_numpy(dtype="float64")
    before = _within(area, xy)
    # The postcode of the area nearest the residence point of a Core20 LSOA with no library in
    # reach: a site there gives that LSOA one.
    target = area[(before == 0) & area["core20"].to_numpy()].iloc[0]
    pcs = postcodes.frame[(postcodes.frame["laua"] == LAD) & postcodes.frame["easting"].notna()]
    gap = np.hypot(
        pcs["easting"] - target["res_easting"], pcs["northing"] - target["res_northing"]
    ).to_numpy()
    pc = pcs.iloc[int(np.argmin(gap))]
    site = np.array([[pc["easting"], pc["northing"]]], dtype="float64")

    at = _open(area=AREA, types="library")
    assert "Add a site or close an asset" in _texts(at.info)
    at.text_area(key="plan_postcodes").input(str(pc["postcode"])).run()
    at.button(key="plan_add_postcodes").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning, _texts(at.warning)
    after = before + _within(area, site)
    gains = (before == 0) & (after >= 1)
    people = area["population"].to_numpy()
    core = area["imd_decile"].to_numpy() <= 2
    assert gains[area["lsoa21cd"] == target["lsoa21cd"]].all()
    assert _metric(at, "Residents gaining access") == f"{people[gains].sum():,}"
    assert _metric(at, "Gaining, in IMD deciles 1-2") == f"{people[gains & core].sum():,}"
    deciles = at.dataframe[1].value
    assert deciles["Residents gaining"].sum() == people[gains].sum()
    by_decile = pd.Series(people[gains]).groupby(area["imd_decile"].to_numpy()[gains]).sum()
    got = deciles.set_index(dictionary.label("imd_decile"))["Residents gaining"]
    assert got[got > 0].to_dict() == by_decile.to_dict()
    gaining = at.dataframe[2].value
    assert set(gaining["LSOA code (2021)"]) == set(area.loc[gains & core, "lsoa21cd"])
    # The link carries the scenario.
    link = scenariofile.decode_url(at.query_params["scenario"], AREA)
    assert [p.label.replace(" ", "") for p in link.scenario.add] == [pc["postcode"]]

    # Close the library with the most residents in reach of it alone.
    h = area[["res_easting", "res_northing"]].to_numpy(dtype="float64")
    near = np.hypot(h[:, None, 0] - xy[None, :, 0], h[:, None, 1] - xy[None, :, 1]) <= D
    only = ((before == 1)[:, None] & near).sum(axis=0)
    shut = int(np.argmax(only))
    assert only[shut] > 0
    shut_id = str(libraries["asset_id"].iloc[shut])
    at.multiselect(key="plan_close").set_value([shut_id]).run()
    assert not at.exception, [e.value for e in at.exception]
    after = before - _within(area, xy[shut : shut + 1]) + _within(area, site)
    loses = (before >= 1) & (after == 0)
    assert loses.any()
    assert _metric(at, "Residents losing access") == f"{people[loses].sum():,}"
    changes = at.dataframe[-1].value
    row = changes.set_index("LSOA code (2021)").loc[libraries["lsoa21cd"].iloc[shut]]
    assert row["Assets inside, after"] == row["Assets inside, before"] - 1
    assert row["Change in gap score"] > 0  # a library closed inside it: the gap widens
    link = scenariofile.decode_url(at.query_params["scenario"], AREA)
    assert link.scenario.close == (shut_id,)


def test_bad_postcodes_are_named_with_their_reason(
    data_dir: Path, postcodes: PostcodeDirectory
) -> None:
    frame = postcodes.frame[postcodes.frame["easting"].notna()]
    scottish = str(frame.loc[frame["laua"].str.startswith("S"), "postcode"].iloc[0])
    elsewhere = str(frame.loc[frame["laua"] == "E08000003", "postcode"].iloc[0])  # Manchester
    at = _open(area=AREA, types="library")
    typed = f"ZZ9 9ZZ\n{scottish}\n{elsewhere}\n**bold**"
    at.text_area(key="plan_postcodes").input(typed).run()
    at.button(key="plan_add_postcodes").click().run()
    assert not at.exception
    said = _texts(at.warning)
    assert "4 of 4 postcodes could not be placed" in said
    assert "Postcode 1" in said
    assert "unknown postcode" in said
    assert "Postcode 2" in said
    assert "in Scotland" in said
    assert "Postcode 3" in said
    assert markdown_text("outside Hartlepool") in said
    assert "Postcode 4" in said
    assert "\\*\\*bold\\*\\*" in said  # shown as typed, not bold
    assert "scenario" not in at.query_params


def test_a_scenario_in_the_link_reopens_it(area: pd.DataFrame, libraries: pd.DataFrame) -> None:
    home = area.iloc[0]
    shut = libraries[libraries["lsoa21cd"].isin(area["lsoa21cd"])].iloc[0]
    saved = scenariofile.SavedScenario(
        whatif.Scenario(
            "library",
            add=(Place("my site", float(home["res_easting"]), float(home["res_northing"])),),
            close=(str(shut["asset_id"]),),
        ),
        AREA,
        ("library",),
        600.0,
    )
    value = scenariofile.url_value(saved)
    assert value is not None
    at = _open(area=AREA, types="library", scenario=value)
    assert not at.warning, _texts(at.warning)
    assert at.number_input(key="plan_distance").value == 600
    assert at.multiselect(key="plan_close").value == [shut["asset_id"]]
    sites = at.dataframe[0].value
    assert sites["Where"].tolist() == ["my site"]
    assert "Residents gaining access" in [m.label for m in at.metric]
    assert at.query_params["scenario"] == value


@pytest.mark.parametrize(
    "value",
    [
        "v1.not-base64-zlib",
        "<script>alert(1)</script>",
        "v1." + "A" * 5_000,
    ],
    ids=["damaged", "markup", "oversized"],
)
def test_a_hostile_scenario_in_the_link_is_a_message(data_dir: Path, value: str) -> None:
    at = _open(area=AREA, types="library", scenario=value)
    said = _texts(at.warning)
    assert "The scenario in the link could not be read" in said
    assert "<script>" not in said
    assert "scenario" not in at.query_params


def test_a_link_site_outside_the_area_is_left_out_with_a_reason(
    lsoas: pd.DataFrame, residence: pd.DataFrame, locator: LsoaLocator
) -> None:
    far = residence[
        residence["lsoa21cd"] == lsoas.loc[lsoas["lad24cd"] == "E08000003", "lsoa21cd"].iloc[0]
    ]
    saved = scenariofile.SavedScenario(
        whatif.Scenario(
            "library",
            add=(
                Place(
                    "far away",
                    float(far["res_easting"].iloc[0]),
                    float(far["res_northing"].iloc[0]),
                ),
            ),
        ),
        AREA,
        ("library",),
        800.0,
    )
    at = _open(area=AREA, types="library", scenario=scenariofile.encode_url(saved))
    said = _texts(at.warning)
    assert markdown_text("new site 1 ('far away') is left out: outside Hartlepool") in said
    assert "Add a site or close an asset" in _texts(at.info)


def test_best_sites_beat_the_naive_rule_on_the_residents_they_reach(
    area: pd.DataFrame, libraries: pd.DataFrame
) -> None:
    xy = libraries[["easting", "northing"]].to_numpy(dtype="float64")
    need = (_within(area, xy) == 0) & area["core20"].to_numpy()
    weight = area["population"].to_numpy() * need
    at = _open(area=AREA, types="library")
    at.slider(key="plan_k").set_value(3).run()
    at.toggle(key="plan_best_on").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert _metric(at, "Core20 residents with none within reach today") == f"{weight.sum():,}"
    chosen = at.dataframe[0].value
    assert chosen["Pick"].tolist() == [1, 2, 3]
    homes = area.set_index("lsoa21cd")
    picked = homes.loc[chosen["Site"], ["res_easting", "res_northing"]].to_numpy()
    reached = _within(area, picked) > 0
    assert _metric(at, "Within reach of the 3 greedy sites") == f"{weight[reached].sum():,}"
    gains = chosen["Core20 residents newly within reach (marginal gain)"]
    assert gains.sum() == weight[reached].sum()
    assert gains.is_monotonic_decreasing
    naive = at.dataframe[1].value
    # The naive rule: the three most deprived LSOAs among those in need.
    worst = area[need].nsmallest(3, "imd_rank")
    assert naive["Site"].tolist() == worst["lsoa21cd"].tolist()
    naive_reach = _within(area, worst[["res_easting", "res_northing"]].to_numpy()) > 0
    naive_people = weight[naive_reach].sum()
    assert _metric(at, "Within reach of the naive rule's 3 sites") == f"{naive_people:,}"
    assert weight[reached].sum() >= naive_people
    # The chosen sites go into the scenario with one click.
    at.button(key="plan_best_add").click().run()
    assert at.dataframe[0].value["Where"].tolist() == chosen["Site"].tolist()


def test_a_candidate_list_is_placed_row_by_row_and_can_be_added(
    area: pd.DataFrame, postcodes: PostcodeDirectory
) -> None:
    pcs = postcodes.frame[(postcodes.frame["laua"] == LAD) & postcodes.frame["easting"].notna()]
    good = pcs["postcode"].iloc[:2].tolist()
    body = (
        f"name,postcode\nFirst <i>hub</i>,{good[0]}\nNowhere,ZZ9 9ZZ\nSecond,{good[1]}\n"
    ).encode()
    at = _open(area=AREA, types="library")
    at.file_uploader(key="plan_candidates_file").set_value(("sites.csv", body, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "2 of 3 rows placed in the area" in _texts(at.success)
    said = _texts(at.warning)
    assert "1 of 3 rows could not be placed" in said
    assert "Row 3" in said  # the file's line: the header is line 1
    assert "unknown postcode" in said
    at.button(key="plan_add_candidates").click().run()
    assert at.dataframe[0].value["Where"].tolist() == ["First <i>hub</i>", "Second"]
    # The list is also a choice for the best sites.
    at.radio(key="plan_best_from").set_value("list").run()
    at.toggle(key="plan_best_on").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    chosen = [d.value for d in at.dataframe if "Pick" in d.value.columns]
    assert chosen
    assert set(chosen[0]["Site"]) <= {"First <i>hub</i>", "Second"}


def test_a_malformed_candidate_file_is_an_error_not_a_traceback(data_dir: Path) -> None:
    at = _open(area=AREA, types="library")
    at.file_uploader(key="plan_candidates_file").set_value(
        ("sites.csv", b"name,town\nA,B\n", "text/csv")
    ).run()
    assert not at.exception
    assert "has no 'postcode' column" in _texts(at.error).replace("\\", "")


def test_a_scenario_file_reopens_and_a_hostile_one_is_refused(
    area: pd.DataFrame, libraries: pd.DataFrame
) -> None:
    home = area.iloc[5]
    shut = libraries[libraries["lsoa21cd"].isin(area["lsoa21cd"])].iloc[0]
    saved = scenariofile.SavedScenario(
        whatif.Scenario(
            "library",
            add=(Place("from a file", float(home["res_easting"]), float(home["res_northing"])),),
            close=(str(shut["asset_id"]),),
        ),
        AREA,
        ("library",),
        900.0,
    )
    at = _open(area=AREA, types="library")
    at.file_uploader(key="plan_open").set_value(
        ("s.json", b'{"format": "assetmap-scenario", "version": 1, "add": [{"x": ', "text/json")
    ).run()
    assert not at.exception
    assert "s.json cannot be opened" in _texts(at.error).replace("\\", "")
    assert "not JSON" in _texts(at.error)
    at.file_uploader(key="plan_open").set_value(
        ("s.json", scenariofile.to_json(saved).encode(), "application/json")
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "1 new sites and 1 closed assets" in _texts(at.success)
    assert at.number_input(key="plan_distance").value == 900
    assert at.multiselect(key="plan_close").value == [shut["asset_id"]]
    assert at.dataframe[0].value["Where"].tolist() == ["from a file"]
    assert scenariofile.decode_url(at.query_params["scenario"], AREA) == saved


def test_a_family_counts_all_its_types_and_new_sites_are_the_type_chosen(
    area: pd.DataFrame, assets: pd.DataFrame
) -> None:
    at = _open(area=AREA)  # a new session counts the community organisations
    assert at.selectbox(key="plan_choice").options == [
        "Community amateur sports clubs",
        "Food banks",
        "All community organisations",
    ]
    at.selectbox(key="plan_choice").set_value("family:community").run()
    at.selectbox(key="plan_site_type").set_value("foodbank").run()
    inside = assets[
        assets["asset_type"].isin(["sports_club", "foodbank"])
        & assets["lsoa21cd"].isin(area["lsoa21cd"])
    ]
    assert len(at.multiselect(key="plan_close").options) == len(inside)
    shut = str(inside["asset_id"].iloc[0])
    at.multiselect(key="plan_close").set_value([shut]).run()
    assert not at.exception, [e.value for e in at.exception]
    saved = scenariofile.decode_url(at.query_params["scenario"], AREA)
    assert saved.types == ("sports_club", "foodbank")
    assert saved.scenario.asset_type == "foodbank"
    assert saved.scenario.close == (shut,)
