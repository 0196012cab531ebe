"""Own areas on the pages (AppTest on the real build): made on the Your own area page or read
from a link, then the selection on every page, with the same figures as the library gives."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from assetmap import settings
from assetmap.data import dictionary
from assetmap.geography import areas, ownarea
from assetmap.measures import metrics
from assetmap.presentation.text import markdown_text
from tests.conftest import COMMUNITY_TYPES
from tests.test_pages import _open

OWN_PAGE = "pages/8_Your_own_area.py"


@pytest.fixture(scope="module")
def small_lad(lsoas: pd.DataFrame) -> tuple[str, list[str]]:
    """The local authority with the fewest LSOAs (more than five): its code and LSOA codes, so
    that its own-area link fits."""
    counts = lsoas.groupby("lad24cd").size()
    code = str(counts[counts > 5].idxmin())
    return code, sorted(lsoas.loc[lsoas["lad24cd"] == code, "lsoa21cd"])


def test_own_area_link_gives_the_figures_of_the_lad_it_copies(
    data_dir: Path, small_lad: tuple[str, list[str]], community_metrics: pd.DataFrame
) -> None:
    code, lsoa_codes = small_lad
    ref = "own:" + ",".join(lsoa_codes)
    lad = _open(area=f"lad:{code}")
    own = _open(area=ref, area_name="My patch")
    assert own.selectbox(key="filter_level").value == areas.OWN
    assert "My patch" in own.title[0].value
    assert [m.value for m in own.metric] == [m.value for m in lad.metric]
    assert own.dataframe[0].value.equals(lad.dataframe[0].value)
    assert own.query_params["area"] == ref
    assert own.query_params["area_name"] == "My patch"
    # The gap table of the own area is the local authority's, row for row.
    own.switch_page("pages/2_Gap_table.py").run()
    assert not own.exception
    shown = own.dataframe[0].value
    expected = metrics.gap_table(
        community_metrics, areas.Area("lad", code, "x"), types=COMMUNITY_TYPES, need="imd"
    )
    assert shown[dictionary.label("lsoa21cd")].tolist() == expected["lsoa21cd"].tolist()


@pytest.mark.parametrize(
    "page", ["pages/1_Map.py", "pages/3_Area_profile.py", "pages/6_Where_to_invest.py", OWN_PAGE]
)
def test_every_page_opens_on_an_own_area(
    data_dir: Path, small_lad: tuple[str, list[str]], page: str
) -> None:
    ref = "own:" + ",".join(small_lad[1])
    at = _open(page, area=ref, area_name="My patch")
    assert at.selectbox(key="filter_level").value == areas.OWN
    assert at.query_params["area"] == ref


def test_hostile_own_area_link_is_explained_not_run(data_dir: Path, lsoas: pd.DataFrame) -> None:
    at = _open(area="own:<script>alert(1)</script>")
    said = " ".join(w.value for w in at.warning)
    assert "own area in the link cannot be used" in said
    assert "<script>" not in said
    assert at.selectbox(key="filter_level").value == "england"
    # A real code with a name full of markup: the name is shown as text, never as HTML.
    first = str(lsoas["lsoa21cd"].iloc[0])
    at = _open(area=f"own:{first}", area_name="<b>Bold</b> [link](http://x.test)")
    assert at.selectbox(key="filter_level").value == areas.OWN
    shown = at.title[0].value + " ".join(m.value for m in at.sidebar.markdown)
    assert "<b>" not in shown
    assert "](http" not in shown
    assert markdown_text("<b>Bold</b>") in shown
    at = _open(area="own")
    assert any("too large to keep in a link" in w.value for w in at.warning)


def test_pasted_codes_become_the_selection(
    data_dir: Path, small_lad: tuple[str, list[str]]
) -> None:
    lsoa_codes = small_lad[1]
    at = _open(OWN_PAGE)
    at.radio(key="own_mode").set_value("paste").run()
    at.text_input(key="own_name").input("Pasted patch").run()
    pasted = "\n".join(lsoa_codes[:3]) + "\nE01999999"
    at.text_area(key="own_codes").input(pasted).run()
    at.button(key="own_use_codes").click().run()
    assert not at.exception
    # One unknown code: nothing is made, the code is named.
    assert any("E01999999" in e.value for e in at.error)
    at.text_area(key="own_codes").input("\n".join(lsoa_codes[:3])).run()
    at.button(key="own_use_codes").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="filter_level").value == areas.OWN
    assert at.query_params["area"] == "own:" + ",".join(lsoa_codes[:3])
    assert at.header[0].value == "Your area: Pasted patch"
    assert at.metric[0].value == "3"
    at.button(key="own_forget").click().run()
    assert at.selectbox(key="filter_level").value == "england"


def test_uploaded_boundary_in_british_national_grid_is_reprojected(
    data_dir: Path,
    small_lad: tuple[str, list[str]],
    lsoa_polygons: gpd.GeoDataFrame,
) -> None:
    """A boundary drawn round the local authority's LSOAs, saved in EPSG:27700: the area is
    exactly those LSOAs (residence points lie inside their own LSOA)."""
    lsoa_codes = small_lad[1]
    shapes = lsoa_polygons[lsoa_polygons["lsoa21cd"].isin(lsoa_codes)].to_crs(settings.CRS_METRIC)
    outline = shapely.union_all(shapes.geometry.buffer(1.0))
    doc = {
        "type": "FeatureCollection",
        "name": "<i>Board patch</i>",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "<i>Board patch</i>"},
                "geometry": shapely.geometry.mapping(outline),
            }
        ],
    }
    at = _open(OWN_PAGE)
    at.radio(key="own_mode").set_value("upload").run()
    body = json.dumps(doc).encode()
    at.file_uploader(key="own_file").set_value(("patch.geojson", body, "application/json")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    at.button(key="own_use_file").click().run()
    assert not at.exception
    own = ownarea.own_area(lsoa_codes, shapes, "x")
    assert at.metric[0].value == f"{len(own.lsoas):,}"
    assert at.query_params["area"] == own.ref
    assert "<i>" not in at.header[0].value
