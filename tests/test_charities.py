"""Charities per 1,000 residents per local authority, checked against the raw files.

The 2019 -> 2024 mapping is recomputed here from the raw lookups, never from
:data:`assetmap.data.charities.ABOLISHED_BEFORE_2022` or
:func:`assetmap.data.charities.lad19_table`.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from streamlit.testing.v1 import AppTest

from assetmap import settings
from assetmap.data import charities, dictionary, store
from assetmap.geography import areas
from assetmap.measures import metrics
from assetmap.presentation import maps, mapviews
from tests.conftest import ALL_TYPES

ENGLAND_CHARITIES = 132_517
CITY_OF_LONDON = "E09000001"


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The published file, England only, indexed by 2019 code."""
    frame = pd.read_csv(settings.SOURCE_DIR / "charity_density_lad19.csv")
    return frame[frame["LAD19CD"].str.startswith("E")].set_index("LAD19CD")


@pytest.fixture(scope="module")
def lsoa11() -> pd.DataFrame:
    """The ONS LSOA 2011 -> 2021 lookup with its 2022 authorities, English LSOAs 2021."""
    frame = pd.read_csv(settings.SOURCE_DIR / "lookup_lsoa11_lsoa21_ltla22.csv")
    return frame[frame["lsoa21_code"].str.startswith("E01")]


@pytest.fixture(scope="module")
def ltla22_in_2024(lsoa11: pd.DataFrame) -> pd.Series:
    """2022 authority -> the 2024 authority holding most of its LSOAs, from the raw lookups."""
    ward = pd.read_csv(settings.SOURCE_DIR / "lookup_lsoa21_ward24_ltla24.csv")
    pairs = lsoa11[["lsoa21_code", "ltla22_code"]].drop_duplicates()
    pairs = pairs.merge(ward[["lsoa21_code", "ltla24_code"]], on="lsoa21_code")
    return pairs.groupby("ltla22_code")["ltla24_code"].agg(lambda s: s.value_counts().index[0])


@pytest.fixture(scope="module")
def lad19(lsoas: pd.DataFrame) -> pd.DataFrame:
    return charities.lad19_table(lsoas)


@pytest.fixture(scope="module")
def per_la(lad19: pd.DataFrame, lsoas: pd.DataFrame) -> pd.DataFrame:
    return charities.by_lad(lad19, lsoas)


@pytest.fixture(scope="module")
def lad_layer(data_dir: Path) -> pd.DataFrame:
    return pd.DataFrame(store.load_layer("lad", data_dir).drop(columns="geometry"))


def test_england_total_is_preserved(
    raw: pd.DataFrame, per_la: pd.DataFrame, lad_layer: pd.DataFrame, data_dir: Path
) -> None:
    assert raw["Number of charities"].sum() == ENGLAND_CHARITIES
    assert per_la["charities"].sum() == ENGLAND_CHARITIES
    assert lad_layer["charities"].sum() == ENGLAND_CHARITIES
    manifest = json.loads((data_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["charities_england"] == ENGLAND_CHARITIES
    assert manifest["counts"]["charities_lad24_merged"] == 7


def test_every_2024_english_authority_has_a_value(
    per_la: pd.DataFrame, lsoas: pd.DataFrame, lad_layer: pd.DataFrame
) -> None:
    lads = pd.read_csv(settings.SOURCE_DIR / "lookup_ltla24_region24.csv")["ltla24_code"]
    assert len(lads) == 296
    assert sorted(per_la["lad24cd"]) == sorted(lads)
    assert per_la["charities_per_1k"].notna().all()
    assert (per_la["charities_per_1k"] > 0).all()
    assert lad_layer["charities_per_1k"].notna().all()
    # Each LSOA carries its authority's rate, and nothing is missing.
    rate = lsoas["lad24cd"].map(per_la.set_index("lad24cd")["charities_per_1k"])
    assert lsoas[charities.LSOA_COLUMN].notna().all()
    assert np.allclose(lsoas[charities.LSOA_COLUMN], rate)


@pytest.mark.parametrize(
    ("lad24", "names"),
    [
        ("E06000063", {"Allerdale", "Carlisle", "Copeland"}),  # Cumberland
        ("E06000064", {"Barrow-in-Furness", "Eden", "South Lakeland"}),  # Westmorland and Furness
        (
            "E06000065",  # North Yorkshire
            {
                "Craven",
                "Hambleton",
                "Harrogate",
                "Richmondshire",
                "Ryedale",
                "Scarborough",
                "Selby",
            },
        ),
        (
            "E06000066",  # Somerset
            {"Mendip", "Sedgemoor", "South Somerset", "Somerset West and Taunton"},
        ),
    ],
)
def test_2023_mergers_sum_their_districts(
    lad24: str,
    names: set[str],
    raw: pd.DataFrame,
    lsoa11: pd.DataFrame,
    ltla22_in_2024: pd.Series,
    per_la: pd.DataFrame,
) -> None:
    codes = set(ltla22_in_2024.index[ltla22_in_2024 == lad24])
    named = lsoa11[lsoa11["ltla22_code"].isin(codes)]
    assert set(named["ltla22_name"]) == names
    row = per_la.set_index("lad24cd").loc[lad24]
    assert row["charities"] == raw.loc[sorted(codes), "Number of charities"].sum()
    assert row["charities_lad19"] == ";".join(sorted(codes))


def test_cumberland_is_allerdale_carlisle_copeland(raw: pd.DataFrame, per_la: pd.DataFrame) -> None:
    expected = raw.loc[["E07000026", "E07000028", "E07000029"], "Number of charities"].sum()
    assert per_la.set_index("lad24cd").loc["E06000063", "charities"] == expected


def _district(lsoa_names: pd.Series) -> pd.Series:
    # "Corby 001A" -> "Corby": LSOA names are the 2011 district and a number.
    return lsoa_names.str.replace(r" \d{3}[A-Z]$", "", regex=True)


def _early_mergers(raw: pd.DataFrame, lsoa11: pd.DataFrame) -> dict[str, str]:
    """2019 code -> 2024 authority for the districts missing from the 2022 lookup, from data.

    The missing codes form runs of consecutive codes (one per former county). The successors are
    the 2022 authorities absent from the 2019 file; their 2011 LSOA names give the predecessor
    districts and their mid-2020 residents. Each run goes to the successors with as many
    districts and the closest total population (the publisher's density implies each 2019
    district's population: 1000 x count / density), and within a county ONS issued the district
    codes in alphabetical order of name.
    """
    known = set(lsoa11["ltla22_code"])
    missing = sorted(c for c in raw.index if c not in known)
    successors = sorted(set(lsoa11["ltla22_code"]) - set(raw.index))
    pop20 = pd.read_csv(settings.SOURCE_DIR / "population20_lsoa11.csv")
    pop20["district"] = _district(pop20["lsoa11_name"])
    by_name = pop20.groupby("district")["total_population"].sum()
    districts = {
        s: sorted(set(_district(lsoa11.loc[lsoa11["ltla22_code"] == s, "lsoa11_name"])))
        for s in successors
    }
    runs: list[list[str]] = []
    for code in missing:
        if runs and int(code[3:]) == int(runs[-1][-1][3:]) + 1:
            runs[-1].append(code)
        else:
            runs.append([code])
    implied = 1000 * raw["Number of charities"] / raw["Charity density (per 1,000 people)"]
    out: dict[str, str] = {}
    for run in runs:
        options = [
            group
            for k in range(1, len(successors) + 1)
            for group in itertools.combinations(successors, k)
            if sum(len(districts[s]) for s in group) == len(run)
        ]
        target = implied[run].sum()
        best = min(
            options,
            key=lambda g: abs(sum(by_name[districts[s]].sum() for s in g) - target),
        )
        names = sorted((name, s) for s in best for name in districts[s])
        out |= {code: s for code, (_, s) in zip(run, names, strict=True)}
    return out


def test_2020_21_mergers_sum_their_districts(
    raw: pd.DataFrame, lsoa11: pd.DataFrame, per_la: pd.DataFrame
) -> None:
    derived = _early_mergers(raw, lsoa11)
    assert len(derived) == 11
    assert set(derived.values()) == {"E06000060", "E06000061", "E06000062"}
    # Buckinghamshire, North and West Northamptonshire as the structural changes orders say.
    assert {c for c, s in derived.items() if s == "E06000060"} == {
        "E07000004",
        "E07000005",
        "E07000006",
        "E07000007",
    }
    assert {c for c, s in derived.items() if s == "E06000062"} == {
        "E07000151",
        "E07000154",
        "E07000155",
    }
    rows = per_la.set_index("lad24cd")
    for successor in ("E06000060", "E06000061", "E06000062"):
        codes = sorted(c for c, s in derived.items() if s == successor)
        assert rows.loc[successor, "charities"] == raw.loc[codes, "Number of charities"].sum()
        assert rows.loc[successor, "charities_lad19"] == ";".join(codes)
    # The module's constant says the same.
    assert {p.code: p.successor for p in charities.ABOLISHED_BEFORE_2022} == derived


def test_predecessor_names_are_the_lsoa_name_prefixes(lsoa11: pd.DataFrame) -> None:
    successors = {p.successor for p in charities.ABOLISHED_BEFORE_2022}
    for successor in successors:
        inside = lsoa11.loc[lsoa11["ltla22_code"] == successor, "lsoa11_name"]
        listed = [p.name for p in charities.ABOLISHED_BEFORE_2022 if p.successor == successor]
        assert sorted(set(_district(inside))) == sorted(listed)
        assert len(listed) == len(set(listed))


def test_unchanged_authorities_keep_the_raw_count(raw: pd.DataFrame, per_la: pd.DataFrame) -> None:
    same = per_la[per_la["lad24cd"].isin(raw.index)].set_index("lad24cd")
    assert len(same) == 296 - 7
    assert (same["charities"] == raw.loc[same.index, "Number of charities"]).all()
    assert (same["charities_lad19"] == same.index).all()
    assert (same["charities_lad19_count"] == 1).all()
    assert np.allclose(
        same["charities_per_1k_published"],
        raw.loc[same.index, "Charity density (per 1,000 people)"],
    )
    manchester = ["E08000003"]
    assert (
        same.loc[manchester, "charities"].tolist()
        == raw.loc[manchester, "Number of charities"].tolist()
    )


def test_rate_is_per_1000_census_residents(per_la: pd.DataFrame) -> None:
    pop = pd.read_csv(settings.SOURCE_DIR / "census21_population_lsoa21.csv")
    ward = pd.read_csv(settings.SOURCE_DIR / "lookup_lsoa21_ward24_ltla24.csv")
    people = pop.merge(ward, on="lsoa21_code").groupby("ltla24_code")["usual_residents"].sum()
    rows = per_la.set_index("lad24cd")
    expected = 1000 * rows["charities"] / people.loc[rows.index]
    assert np.allclose(rows["charities_per_1k"], expected, rtol=1e-12)
    # Our Census denominator stays close to the publisher's for nearly every authority.
    close = (rows["charities_per_1k"] / rows["charities_per_1k_published"]).between(0.85, 1.15)
    assert close.mean() > 0.95


def test_rollup_to_a_region_is_a_ratio_of_sums(
    all_metrics: pd.DataFrame, per_la: pd.DataFrame
) -> None:
    region = pd.read_csv(settings.SOURCE_DIR / "lookup_ltla24_region24.csv")
    joined = per_la.merge(region, left_on="lad24cd", right_on="ltla24_code")
    sums = joined.groupby("region24_code")[["charities", "population"]].sum()
    roll = metrics.rollup(all_metrics, "region", types=ALL_TYPES).set_index("rgn24cd")
    assert np.allclose(roll["charities"], sums.loc[roll.index, "charities"], rtol=1e-12)
    expected = 1000 * sums["charities"] / sums["population"]
    assert np.allclose(roll["charities_per_1k"], expected.loc[roll.index], rtol=1e-12)
    eng = metrics.rollup(all_metrics, "england", types=ALL_TYPES).iloc[0]
    assert eng["charities"] == pytest.approx(ENGLAND_CHARITIES, rel=1e-12)
    # Local authorities get their own counts back.
    lads = metrics.rollup(all_metrics, "lad", types=ALL_TYPES).set_index("lad24cd")
    counts = per_la.set_index("lad24cd").loc[lads.index, "charities"]
    assert np.allclose(lads["charities"], counts, rtol=1e-12)


def test_an_area_cutting_across_authorities_gets_a_population_share(
    all_metrics: pd.DataFrame, per_la: pd.DataFrame
) -> None:
    # An ICB taking in part of an authority: each authority's charities by residents.
    split = all_metrics.groupby("lad24cd")["icb24cd"].nunique()
    lad = split.index[split > 1][0]
    icb = all_metrics.loc[all_metrics["lad24cd"] == lad, "icb24cd"].iloc[0]
    inside = all_metrics[all_metrics["icb24cd"] == icb]
    la = per_la.set_index("lad24cd")
    share = (
        inside.groupby("lad24cd")["population"].sum()
        / la.loc[inside["lad24cd"].unique(), "population"]
    )
    expected = (share * la.loc[share.index, "charities"]).sum()
    roll = metrics.rollup(all_metrics, "icb", types=ALL_TYPES).set_index("icb24cd")
    assert roll.loc[icb, "charities"] == pytest.approx(expected, rel=1e-12)
    cat = areas.catalogue(all_metrics)
    coverage = charities.la_coverage(all_metrics, areas.resolve(f"icb:{icb}", cat))
    assert not coverage.whole
    assert coverage.las > coverage.whole_las
    note = charities.profile_note([coverage])
    assert "population share" in note
    assert charities.CREDIT in note


def test_whole_areas_are_said_to_be_exact(all_metrics: pd.DataFrame) -> None:
    cat = areas.catalogue(all_metrics)
    manchester = areas.resolve("lad:E08000003", cat)
    north_west = areas.resolve("region:North West", cat)
    cover = [charities.la_coverage(all_metrics, a) for a in (manchester, north_west)]
    england = charities.la_coverage(all_metrics, areas.ENGLAND)
    assert all(c.whole for c in cover)
    assert cover[0].las == 1
    assert england.las == england.whole_las == 296
    assert england.whole_population_share == pytest.approx(1.0)
    assert "exact" in charities.profile_note([*cover, england])
    assert "population share" not in charities.profile_note([*cover, england])


def test_spearman_with_imd_rank_is_scipys(lad_layer: pd.DataFrame) -> None:
    frame = pd.DataFrame(
        {
            "rate": lad_layer["charities_per_1k"].to_numpy(),
            "score": lad_layer["imd_score_popweighted"].to_numpy(),
        }
    )
    # Rank 1 = the highest average score, the most deprived authority.
    frame["rank"] = stats.rankdata(-frame["score"], method="min")
    want = stats.spearmanr(frame["rate"], frame["rank"])
    got = charities.deprivation_relation(lad_layer)
    assert got.n == len(frame) == 296
    assert got.rho == pytest.approx(float(want.statistic), abs=1e-12)
    assert got.p_value == pytest.approx(float(want.pvalue), rel=1e-9)
    # Less deprived authorities have more charities per head.
    assert got.rho > 0
    ordered = frame.sort_values("score", ascending=False)["rate"].to_numpy()
    n = len(ordered)
    most = ordered[: int(np.floor(n / 5))]  # ranks 1-59: ceil(5 r / 296) == 1
    least = ordered[int(np.floor(4 * n / 5)) :]  # ranks 237-296
    assert got.most_deprived_fifth_n == len(most) == 59
    assert got.least_deprived_fifth_n == len(least) == 60
    assert got.median_most_deprived_fifth == pytest.approx(float(np.median(most)))
    assert got.median_least_deprived_fifth == pytest.approx(float(np.median(least)))
    assert got.median_least_deprived_fifth > got.median_most_deprived_fifth


def test_city_of_london_is_flagged(per_la: pd.DataFrame) -> None:
    flagged = charities.outliers(per_la)
    q1, q3 = np.percentile(per_la["charities_per_1k"], [25, 75])
    assert flagged.fence == pytest.approx(q3 + 3 * (q3 - q1))
    assert flagged.table["lad24cd"].iloc[0] == CITY_OF_LONDON
    assert flagged.table["charities_per_1k"].iloc[0] > 100
    expected = set(per_la.loc[per_la["charities_per_1k"] > flagged.fence, "lad24cd"])
    assert set(flagged.table["lad24cd"]) == expected
    # Flagged, not dropped.
    assert CITY_OF_LONDON in set(per_la["lad24cd"])


def test_merged_authorities_are_listed(lad19: pd.DataFrame, data_dir: Path) -> None:
    stored = store.load_charity_lookup(data_dir)
    pd.testing.assert_frame_equal(stored, lad19, check_dtype=False)
    joined = charities.merged(stored).set_index("lad24cd")
    assert len(joined) == 7
    assert joined.loc["E06000063", "lad19nm"] == "Allerdale; Carlisle; Copeland"
    assert joined.loc["E06000061", "lad19_mapped_by"] == charities.MERGED_2020_21
    assert (
        joined["charities"].sum()
        == lad19.loc[lad19["lad19_mapped_by"] != charities.SAME_CODE, "charities"].sum()
    )


def test_a_code_that_maps_nowhere_stops(
    lsoas: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = charities.read_counts

    def with_stray(source_dir: Path | None = None) -> pd.DataFrame:
        frame = real(source_dir)
        stray = pd.DataFrame(
            {"lad19cd": ["E07999999"], "charities": [5], "charities_per_1k_published": [1.0]}
        )
        return pd.concat([frame, stray], ignore_index=True)

    monkeypatch.setattr(charities, "read_counts", with_stray)
    with pytest.raises(charities.CharityMappingError, match="E07999999"):
        charities.lad19_table(lsoas)


def test_an_authority_split_across_2024_ones_stops(
    lsoas: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One of West Northamptonshire's 238 LSOAs is in Cherwell in 2024: under a 100% rule it fails.
    monkeypatch.setattr(charities, "MIN_LSOA_SHARE", 1.0)
    with pytest.raises(charities.CharityMappingError, match="E06000062"):
        charities.lad19_table(lsoas)


def test_every_new_column_is_in_the_dictionary(
    per_la: pd.DataFrame, lad19: pd.DataFrame, lad_layer: pd.DataFrame, all_metrics: pd.DataFrame
) -> None:
    cols = [
        *per_la.columns,
        *lad19.columns,
        *lad_layer.columns,
        *metrics.rollup(all_metrics, "lad", types=ALL_TYPES).columns,
        charities.LSOA_COLUMN,
    ]
    assert [c for c in cols if c not in dictionary.COLUMNS] == []
    assert dictionary.COLUMNS["charities_per_1k"].source == charities.SOURCE_KEY


def test_map_offers_it_by_local_authority_with_its_credit(
    all_metrics: pd.DataFrame, data_dir: Path
) -> None:
    measure = maps.MEASURES["charities_per_1k"]
    assert measure.offered_at("lad")
    assert not measure.offered_at("icb")
    assert not measure.offered_at("lsoa")
    assert maps.MEASURES["gap_score"].offered_at("icb")
    layer = store.load_layer("lad", data_dir)
    view = mapviews.area_view(
        all_metrics, areas.ENGLAND, "lad", layer, "charities_per_1k", "quantiles", types=ALL_TYPES
    )
    html = view.map.get_root().render()
    assert charities.CREDIT in html
    assert charities.CREDIT in view.source
    assert "Charities per 1,000 residents" in html
    assert view.features == 296
    with pytest.raises(ValueError, match="not shown"):
        mapviews.area_view(
            all_metrics, areas.ENGLAND, "icb", store.load_layer("icb", data_dir),
            "charities_per_1k", "quantiles", types=ALL_TYPES,
        )  # fmt: skip


# --- The pages: thin, drawing what the library computed ------------------------------------------


def _open(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(settings.PROJECT_ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


PROFILE_ROW = dictionary.label("charities_per_1k")


def test_profile_shows_the_rate_against_parent_and_england(
    data_dir: Path, all_metrics: pd.DataFrame
) -> None:
    at = _open("pages/3_Area_profile.py", area="lad:E08000003")
    profile = at.dataframe[0].value
    lads = metrics.rollup(all_metrics, "lad", types=ALL_TYPES).set_index("lad24cd")[
        "charities_per_1k"
    ]
    regions = metrics.rollup(all_metrics, "region", types=ALL_TYPES).set_index("rgn24cd")[
        "charities_per_1k"
    ]
    eng = metrics.rollup(all_metrics, "england", types=ALL_TYPES)["charities_per_1k"]
    row = list(profile.loc[PROFILE_ROW])
    assert row == [
        f"{lads.to_dict()['E08000003']:.2f}",
        f"{regions.to_dict()['E12000002']:.2f}",  # North West
        f"{eng.iloc[0]:.2f}",
    ]
    assert any(charities.CREDIT in c.value and "exact" in c.value for c in at.caption)


def test_profile_says_when_an_area_is_not_made_of_whole_authorities(
    data_dir: Path, all_metrics: pd.DataFrame
) -> None:
    split = all_metrics.groupby("lad24cd")["icb24cd"].nunique()
    lad = split.index[split > 1][0]
    icb = str(all_metrics.loc[all_metrics["lad24cd"] == lad, "icb24cd"].iloc[0])
    at = _open("pages/3_Area_profile.py", area=f"icb:{icb}")
    assert PROFILE_ROW in at.dataframe[0].value.index
    assert any("population share" in c.value for c in at.caption)


def test_map_offers_charities_by_local_authority_only(data_dir: Path) -> None:
    label = maps.MEASURES["charities_per_1k"].label
    at = _open("pages/1_Map.py", area="england")
    assert at.radio(key="map_level").value == "icb"
    assert label not in at.selectbox(key="map_measure").options
    at.radio(key="map_level").set_value("lad").run()
    assert label in at.selectbox(key="map_measure").options
    at.selectbox(key="map_measure").set_value("charities_per_1k").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 296
    assert dictionary.label("charities_per_1k") in table.columns
    at = _open("pages/1_Map.py", area="icb:QYG", measure="charities_per_1k")
    assert label not in at.selectbox(key="map_measure").options
    assert any("by local authority" in i.value for i in at.info)


def test_methods_page_shows_the_computed_figures(data_dir: Path, lad_layer: pd.DataFrame) -> None:
    at = _open("pages/4_Methods_and_data.py")
    text = "\n".join(m.value for m in at.markdown)
    relation = charities.deprivation_relation(lad_layer)
    assert f"= {relation.rho:.2f} (p = {relation.p_value:.1g})" in text
    assert f"{relation.median_most_deprived_fifth:.2f} per 1,000 in the most deprived" in text
    assert f"against {relation.median_least_deprived_fifth:.2f}" in text
    assert "City of London (139.7)" in text
    assert charities.CREDIT in text
    merged = _table(at, "Formed from (2019)")
    assert len(merged) == 7
    assert "Allerdale; Carlisle; Copeland" in merged["Formed from (2019)"].tolist()


def _table(at: AppTest, column: str) -> pd.DataFrame:
    for frame in at.dataframe:
        if isinstance(frame.value, pd.DataFrame) and column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")
