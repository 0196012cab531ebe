"""Every page through Streamlit's AppTest on the real build: widgets, URL state, numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from assetmap import settings
from assetmap.data import dictionary, sources, store
from assetmap.data.assets import FAMILY_COMMUNITY, family_types
from assetmap.geography import areas
from assetmap.measures import access, analysis, bivariate, change, hotspots, invest, metrics
from assetmap.presentation import export
from assetmap.presentation.text import markdown_text
from tests.conftest import COMMUNITY_TYPES

APP = str(settings.PROJECT_ROOT / "app.py")


def _open(page: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_home_for_england_shows_the_library_numbers(
    data_dir: Path, all_metrics: pd.DataFrame
) -> None:
    at = _open()
    # A new session counts the community organisations: food banks and sports clubs.
    assert at.multiselect(key="filter_families").value == ["community"]
    expected = metrics.decile_table(all_metrics, ["sports_club", "foodbank"])
    shown = at.dataframe[0].value
    assert len(shown) == len(expected) == 30  # 2 asset types + their family, 10 deciles each
    assert shown[dictionary.label("assets_per_1k")].round(6).tolist() == (
        expected["assets_per_1k"].round(6).tolist()
    )
    assert at.metric[0].value == f"{all_metrics['population'].sum():,}"
    assert at.metric[1].value == "33,755"
    assert at.metric[2].value == "20%"
    # The community family's own count, recomputed here from its two types.
    none = (all_metrics["assets_sports_club"] + all_metrics["assets_foodbank"]) == 0
    assert at.metric[3].label == "Core20 LSOAs with no community organisations"
    assert at.metric[3].value == f"{int((all_metrics['core20'] & none).sum()):,}"
    assert "times rarer" in at.markdown[0].value or "as common" in at.markdown[0].value


def test_choosing_a_family_changes_the_headline(data_dir: Path, all_metrics: pd.DataFrame) -> None:
    at = _open()
    community = [m.value for m in at.markdown if "most deprived 20%" in m.value]
    at.multiselect(key="filter_families").set_value(["public_services"]).run()
    assert not at.exception
    assert at.multiselect(key="filter_types").value == ["library", "gp_practice"]
    assert at.query_params["families"] == "public_services"
    public = [m.value for m in at.markdown if "most deprived 20%" in m.value]
    assert public
    assert public != community
    # The headline quotes the public services' own rate in the most deprived fifth.
    dep = all_metrics[all_metrics["imd_decile"] <= 2]
    rate = 1000 * (dep["assets_library"].sum() + dep["assets_gp_practice"].sum())
    assert f"**{rate / dep['population'].sum():.2f}**" in public[0]
    assert "Public services" in [h.value for h in at.subheader]
    # Two families chosen: each has its own headline and no total mixes them.
    at.multiselect(key="filter_families").set_value(["community", "public_services"]).run()
    assert [h.value for h in at.subheader][:2] == ["Community organisations", "Public services"]
    shown = at.dataframe[0].value
    assert "All chosen types" not in " ".join(shown[dictionary.label("asset_type")])


def test_a_link_to_a_lost_upload_says_to_give_it_again(data_dir: Path) -> None:
    # After a server restart (or in another browser) the session's upload is gone: the link's
    # uploaded types cannot be counted, and the notice says plainly what to do.
    at = _open(area="icb:QYG", types="upload_community_centre,sports_club")
    notices = " ".join(w.value for w in at.warning)
    assert markdown_text("give the file again on the Upload page") in notices
    assert markdown_text("'upload_community_centre'") in notices
    assert at.multiselect(key="filter_types").value == ["sports_club"]
    assert at.selectbox(key="filter_area_icb").value == "E54000008"


def test_url_restores_the_filter(data_dir: Path, all_metrics: pd.DataFrame) -> None:
    at = _open(area="icb:QYG", types="sports_club", need="health")
    assert at.selectbox(key="filter_level").value == "icb"
    assert at.selectbox(key="filter_area_icb").value == "E54000008"
    assert at.multiselect(key="filter_types").value == ["sports_club"]
    assert at.selectbox(key="filter_need").value == "health"
    local = areas.select(all_metrics, areas.Area("icb", "E54000008", "x"))
    assert at.metric[1].value == f"{len(local):,}"
    assert at.query_params["area"] == "icb:E54000008"


def test_unknown_area_in_url_is_explained(data_dir: Path) -> None:
    at = _open(area="icb:NOPE")
    # The notice is plain text: the value's Markdown characters are escaped.
    expected = markdown_text("no area matches 'icb:NOPE'")
    assert any(expected in w.value for w in at.warning)
    assert at.selectbox(key="filter_level").value == "england"


def test_changing_the_filter_updates_the_url(data_dir: Path) -> None:
    at = _open()
    at.selectbox(key="filter_level").set_value("lad").run()
    at.selectbox(key="filter_area_lad").set_value("E08000003").run()
    assert not at.exception
    assert at.query_params["area"] == "lad:E08000003"
    assert "Manchester" in at.title[0].value


def test_gap_table_page(data_dir: Path, community_metrics: pd.DataFrame) -> None:
    at = _open("pages/2_Gap_table.py", area="icb:QYG")
    shown = at.dataframe[0].value
    assert len(shown) == 1601
    expected = metrics.gap_table(
        community_metrics,
        areas.Area("icb", "E54000008", "x"),
        types=COMMUNITY_TYPES,
        need="imd",
    )
    assert shown[dictionary.label("lsoa21cd")].tolist() == expected["lsoa21cd"].tolist()
    assert shown["Area"].iloc[0].endswith("(E54000008)")
    at.checkbox(key="gaps_core20").check().run()
    core20 = at.dataframe[0].value
    assert len(core20) == int(expected["core20"].sum())
    assert core20[dictionary.label("core20")].all()


@pytest.mark.parametrize("area", ["england", "icb:QYG"])
def test_map_page(data_dir: Path, area: str) -> None:
    at = _open("pages/1_Map.py", area=area)
    assert at.title[0].value.startswith("Map")
    table = at.dataframe[0].value
    assert len(table) == (42 if area == "england" else 1601)
    at.selectbox(key="map_measure").set_value("imd_decile").run()
    assert not at.exception
    assert at.query_params["measure"] == "imd_decile"


def test_profile_page(data_dir: Path) -> None:
    at = _open("pages/3_Area_profile.py", area="sicbl:01F")
    profile = at.dataframe[0].value
    assert list(profile.columns)[-1] == "England"
    assert len(profile.columns) == 4  # sub-ICB, its ICB, the ICB's region, England
    assert profile.loc[dictionary.label("lsoa_count"), "England"] == "33,755"


def test_methods_page_lists_every_source(data_dir: Path) -> None:
    """One row per entry of ``sources.SOURCES``, each with its publisher, licence, vintage and
    attribution as the library spells them, and nothing else."""
    at = _open("pages/4_Methods_and_data.py")
    shown = at.dataframe[0].value
    expected = pd.DataFrame(
        {
            "Data": [s.title for s in sources.SOURCES.values()],
            "Publisher": [s.publisher for s in sources.SOURCES.values()],
            "Licence": [s.licence for s in sources.SOURCES.values()],
            "Vintage": [s.vintage for s in sources.SOURCES.values()],
            "Attribution": [s.attribution for s in sources.SOURCES.values()],
        }
    )
    pd.testing.assert_frame_equal(
        shown.reset_index(drop=True).astype(str), expected.astype(str), check_dtype=False
    )
    assert "Community Needs Index 2023" in " ".join(shown["Data"])
    assert any("OCSI" in m.value for m in at.markdown)


# --- Beyond counting: where to invest first, and the new profile and methods sections ---------

QYG = areas.Area("icb", "E54000008", "NHS Cheshire and Merseyside Integrated Care Board")


@pytest.fixture(scope="module")
def found(
    data_dir: Path, community_metrics: pd.DataFrame, assets: pd.DataFrame
) -> analysis.Neighbourhoods:
    """England's neighbourhood metrics for a new session's choice (community organisations),
    computed here without the app's loaders."""
    return analysis.neighbourhood_metrics(
        community_metrics,
        store.load_residence(),
        assets,
        store.load_contiguity(),
        types=list(family_types(FAMILY_COMMUNITY)),
        need="imd",
    )


@pytest.fixture(scope="module")
def neighbourhoods(found: analysis.Neighbourhoods) -> pd.DataFrame:
    return found.table


def _table(at: AppTest, column: str) -> pd.DataFrame:
    """The first dataframe on the page with this column heading."""
    for frame in at.dataframe:
        value = frame.value
        if isinstance(value, pd.DataFrame) and column in value.columns:
            return value
    raise AssertionError(f"no table with a {column!r} column")


def _download_matches(button: object, table: pd.DataFrame, file_name: str) -> bool:
    # Streamlit names a download after a hash of its bytes, MIME type and file name, so equal
    # names mean the file holds exactly these bytes under exactly this name.
    from streamlit.runtime.memory_media_file_storage import _calculate_file_id

    expected = _calculate_file_id(export.to_csv_bytes(table), "text/csv", file_name)
    return str(button.proto.url).endswith(f"/{expected}.csv")  # type: ignore[attr-defined]


def _assert_shows_ranking(shown: pd.DataFrame, expected: pd.DataFrame, code: str) -> None:
    top = expected.head(len(shown))
    label = dictionary.label
    assert shown[label(code)].tolist() == top[code].tolist()
    assert shown[label("invest_rank")].tolist() == top["invest_rank"].tolist()
    assert np.allclose(shown[label("invest_score")], top["invest_score"])
    assert np.allclose(shown[label("invest_top_share")], top["invest_top_share"])
    assert shown[label("invest_rank_low")].tolist() == top["invest_rank_low"].tolist()
    assert shown[label("invest_rank_high")].tolist() == top["invest_rank_high"].tolist()
    assert shown[label("invest_reasons")].tolist() == top["invest_reasons"].tolist()


def test_where_to_invest_ranks_as_the_library(neighbourhoods: pd.DataFrame) -> None:
    at = _open("pages/6_Where_to_invest.py", area="icb:QYG")
    assert at.title[0].value.endswith(QYG.name)
    expected = invest.rank(neighbourhoods, QYG, need="imd", top_n=settings.INVEST_TOP_N).table
    shown = _table(at, dictionary.label("invest_reasons"))
    assert len(shown) == settings.INVEST_TOP_N
    _assert_shows_ranking(shown, expected, "lsoa21cd")
    assert shown["Area"].iloc[0].endswith("(E54000008)")
    assert at.query_params["weights"] == "1,1,1,1"

    shown_button, full_button = at.get("download_button")
    assert shown_button.proto.label == "Download what is shown (CSV)"
    assert full_button.proto.label == "Download the full ranking (CSV)"
    stem = "assetmap_invest_icb-E54000008_lsoa_imd_imd2025"
    assert _download_matches(shown_button, shown, f"{stem}_top20.csv")

    # Without cold spots the order is the library's for those weights, and not the same one.
    # (For the community organisations a new session counts, QYG's top 20 have no asset nearby
    # and are among the most deprived: dropping deprivation or provision alone keeps them.)
    at.slider(key="invest_w_cold_spot").set_value(0.0).run()
    assert not at.exception
    reweighted = invest.rank(neighbourhoods, QYG, {"cold_spot": 0}, need="imd", top_n=20).table
    again = _table(at, dictionary.label("invest_reasons"))
    _assert_shows_ranking(again, reweighted, "lsoa21cd")
    assert (
        again[dictionary.label("lsoa21cd")].tolist() != shown[dictionary.label("lsoa21cd")].tolist()
    )
    assert at.query_params["weights"] == "1,1,1,0"

    at.radio(key="invest_by").set_value("ward").run()
    at.number_input(key="invest_top").set_value(10).run()
    assert not at.exception
    wards = invest.rank(
        neighbourhoods, QYG, {"cold_spot": 0}, need="imd", by="ward", top_n=10
    ).table
    by_ward = _table(at, dictionary.label("ward24cd"))
    assert len(by_ward) == 10
    _assert_shows_ranking(by_ward, wards, "ward24cd")
    assert (at.query_params["by"], at.query_params["top"]) == ("ward", "10")


def test_where_to_invest_asks_for_an_area_at_england_level(data_dir: Path) -> None:
    at = _open("pages/6_Where_to_invest.py")
    assert any("Choose an area" in i.value for i in at.info)
    assert not [f for f in at.dataframe if dictionary.label("invest_reasons") in f.value.columns]


def test_profile_shows_change_classes_and_clusters(
    found: analysis.Neighbourhoods, neighbourhoods: pd.DataFrame
) -> None:
    at = _open("pages/3_Area_profile.py", area="icb:QYG")
    moved = change.change_summary(neighbourhoods, QYG)
    everyone = moved[moved["imd19_match"] == "all"].set_index("change_direction")
    fell = int(everyone["lsoa_count"].to_dict()["more deprived"])
    rose_people = int(everyone["population"].to_dict()["less deprived"])
    shown = _table(at, "More deprived: LSOAs").loc["All"].to_dict()
    assert (shown["More deprived: LSOAs"], shown["Less deprived: residents"]) == (fell, rose_people)
    assert any(f"**{fell:,}** of the 1,601" in m.value for m in at.markdown)

    cells = bivariate.cell_counts(bivariate.classify(neighbourhoods, QYG, need="imd").table)
    classes = _table(at, dictionary.label("bivariate_class"))
    assert classes["LSOAs"].tolist() == cells["lsoa_count"].tolist()
    assert classes["Colour"].tolist() == cells["bivariate_colour"].tolist()

    local = areas.select(neighbourhoods, QYG).set_index("lsoa21cd")
    spots = hotspots.cluster_summary(local, local["population"])
    clusters = _table(at, dictionary.label("gap_cluster"))
    assert clusters["Neighbourhoods (LSOAs)"].tolist() == spots["lsoa_count"].tolist()
    threshold = found.clusters.fdr_threshold
    assert any(f"below {threshold:.4f}" in c.value for c in at.caption)


def test_methods_explains_the_new_measures_with_computed_numbers(
    found: analysis.Neighbourhoods, neighbourhoods: pd.DataFrame
) -> None:
    at = _open("pages/4_Methods_and_data.py")
    comparison = access.compare_with_counts(neighbourhoods)
    shown = _table(at, dictionary.label("spearman_fca"))
    assert np.allclose(shown[dictionary.label("spearman_fca")], comparison["spearman_fca"])
    text = "\n".join(m.value for m in at.markdown)
    assert access.explain_comparison(comparison, found.access.distance_m) in text
    clusters = found.clusters
    assert f"p < {clusters.fdr_threshold:.4f}" in text
    assert f"{clusters.tests:,} LSOAs are tested" in text
    fell = int(neighbourhoods["became_more_deprived"].sum())
    assert f"{fell:,} LSOAs (" in text
    assert f"{int(neighbourhoods['left_behind'].sum()):,} of England's" in text
    assert f"D = {settings.INVEST_STABILITY_DRAWS:,} weight" in text
    assert any(r"\sum_k w_k" in latex.value for latex in at.latex)
