"""Metrics: rates as ratios of sums, the gap score's range and direction, roll-ups that add up."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from assetmap.data.assets import ASSET_SOURCES
from assetmap.geography import areas
from assetmap.measures import metrics
from assetmap.measures.rates import per_1k
from tests.conftest import ALL_TYPES

ENGLAND_POPULATION = 56_490_108


def test_counts_cover_every_lsoa_and_asset(all_metrics: pd.DataFrame, assets: pd.DataFrame) -> None:
    assert len(all_metrics) == 33_755
    assert all_metrics["assets"].sum() == len(assets)
    per_type = assets["asset_type"].value_counts()
    for t, n in per_type.items():
        assert all_metrics[f"assets_{t}"].sum() == n


def test_rate_is_per_thousand_residents(all_metrics: pd.DataFrame) -> None:
    row = all_metrics[all_metrics["assets"] > 0].iloc[0]
    assert row["assets_per_1k"] == pytest.approx(1000 * row["assets"] / row["population"])
    assert (all_metrics["zero_assets"] == (all_metrics["assets"] == 0)).all()


def test_decile_table_is_a_ratio_of_sums(all_metrics: pd.DataFrame, assets: pd.DataFrame) -> None:
    table = metrics.decile_table(all_metrics, ALL_TYPES, combined=True)
    allrows = table[table["family"] == metrics.ALL].set_index("imd_decile")
    assert (allrows["asset_type"] == metrics.ALL).all()
    assert allrows["population"].sum() == ENGLAND_POPULATION
    assert allrows["lsoa_count"].sum() == 33_755
    assert allrows["assets"].sum() == len(assets)
    # Recomputed here from the raw rows, not with the library.
    lsoa_decile = all_metrics.set_index("lsoa21cd")["imd_decile"]
    by_decile = assets["lsoa21cd"].map(lsoa_decile).value_counts()
    pop = all_metrics.groupby("imd_decile")["population"].sum()
    expected = 1000 * by_decile / pop
    assert np.allclose(allrows["assets_per_1k"], expected.sort_index())
    assert allrows.loc[10, "ratio_to_least_deprived"] == 1.0


def test_decile_table_totals_each_family_apart(
    all_metrics: pd.DataFrame, assets: pd.DataFrame
) -> None:
    table = metrics.decile_table(all_metrics, ALL_TYPES)
    # No total across families unless asked for.
    assert metrics.ALL not in set(table["family"])
    totals = table[table["asset_type"] == metrics.ALL].groupby("family")["assets"].sum()
    # Each family's total is its own types' assets, counted here from the points.
    family = assets["asset_type"].map({k: a.family for k, a in ASSET_SOURCES.items()})
    assert totals.to_dict() == family.value_counts().to_dict()
    assert set(totals.index) == {"community", "public_services", "culture"}
    # Every type sits in its own family's block, before that family's total.
    for fam, block in table.groupby("family", sort=False):
        kinds = list(dict.fromkeys(block["asset_type"]))
        assert kinds[-1] == metrics.ALL
        assert all(ASSET_SOURCES[k].family == fam for k in kinds[:-1])


def test_food_banks_are_more_common_where_deprivation_is_higher(
    all_metrics: pd.DataFrame,
) -> None:
    # Food banks respond to need: more per 1,000 residents in the most deprived tenth.
    table = metrics.decile_table(all_metrics, ["foodbank"])
    rate = table.set_index(["asset_type", "imd_decile"])["assets_per_1k"].to_dict()
    assert rate["foodbank", 1] > 2 * rate["foodbank", 10]


def test_sports_clubs_are_scarcer_where_deprivation_is_higher(all_metrics: pd.DataFrame) -> None:
    table = metrics.decile_table(all_metrics, ["sports_club", "library", "gp_practice"])
    rate = table.set_index(["asset_type", "imd_decile"])["assets_per_1k"].astype(float).to_dict()
    ratio = rate["sports_club", 10] / rate["sports_club", 1]
    assert 3.0 < ratio < 4.5  # ~3.6x rarer in the most deprived decile
    # ...while libraries and GP practices are more common there (town centres).
    for t in ("library", "gp_practice"):
        assert rate[t, 1] > rate[t, 10]


def test_gap_score_range_and_direction(all_metrics: pd.DataFrame) -> None:
    gap = all_metrics["gap_score"]
    assert gap.between(-100, 100).all()
    assert all_metrics["need_percentile"].max() == 100
    assert all_metrics["need_percentile"].min() == 0
    most = all_metrics.loc[all_metrics["imd_rank"] == 1].iloc[0]
    least = all_metrics.loc[all_metrics["imd_rank"] == 33_755].iloc[0]
    if most["zero_assets"] and least["zero_assets"]:
        assert most["gap_score"] > 0 > least["gap_score"]
    # With need fixed, more provision means a smaller gap.
    same_need = all_metrics[all_metrics["imd_decile"] == 1]
    assert same_need["gap_score"].corr(same_need["provision_percentile"]) < -0.5
    # All zero-asset LSOAs share one provision percentile (ties share the mean rank).
    assert all_metrics.loc[all_metrics["zero_assets"], "provision_percentile"].nunique() == 1


def test_need_can_be_a_domain(lsoas: pd.DataFrame, assets: pd.DataFrame) -> None:
    counts = metrics.count_assets(assets, lsoas["lsoa21cd"])
    health = metrics.lsoa_metrics(lsoas, counts, types=["gp_practice"], need="health")
    top = health.iloc[int(health["health_rank"].to_numpy().argmin())]
    assert top["need_percentile"] == 100
    assert health["assets"].sum() == (assets["asset_type"] == "gp_practice").sum()
    with pytest.raises(ValueError, match="need must be one of"):
        metrics.lsoa_metrics(lsoas, counts, need="happiness")
    with pytest.raises(ValueError, match="unknown asset types"):
        metrics.lsoa_metrics(lsoas, counts, types=["pubs"])


def test_gap_table_for_cheshire_and_merseyside(all_metrics: pd.DataFrame) -> None:
    cat = areas.catalogue(all_metrics)
    area = areas.resolve("icb:QYG", cat)
    table = metrics.gap_table(all_metrics, area, types=ALL_TYPES, need="imd")
    assert len(table) == 1601  # Cheshire and Merseyside ICB's LSOAs
    assert (table["icb24cdh"] == "QYG").all()
    assert table["gap_rank"].tolist() == list(range(1, 1602))
    assert table["gap_score"].is_monotonic_decreasing
    for col in (
        "lsoa21nm",
        "ward24nm",
        "lad24nm",
        "sicbl24nm",
        "icb24nm",
        "imd_decile",
        "population",
        "assets",
        "assets_per_1k",
        "zero_assets",
        "core20",
    ):
        assert col in table.columns


def test_rollups_add_up_to_england(all_metrics: pd.DataFrame) -> None:
    for level in ("region", "icb", "sicbl", "lad"):
        roll = metrics.rollup(all_metrics, level, types=ALL_TYPES)
        assert roll["population"].sum() == ENGLAND_POPULATION
        assert roll["assets"].sum() == all_metrics["assets"].sum()
        assert roll["lsoa_count"].sum() == 33_755
    eng = metrics.rollup(all_metrics, "england", types=ALL_TYPES).iloc[0]
    expected = 1000 * all_metrics["assets"].sum() / ENGLAND_POPULATION
    assert eng["assets_per_1k"] == pytest.approx(expected)


def test_rollup_within_an_area(all_metrics: pd.DataFrame) -> None:
    cat = areas.catalogue(all_metrics)
    qyg = areas.resolve("QYG", cat)
    las = metrics.rollup(all_metrics, "lad", qyg, types=ALL_TYPES)
    # Cheshire East, Cheshire West and Chester, Halton, Knowsley, Liverpool, Sefton,
    # St Helens, Warrington, Wirral.
    assert len(las) == 9
    assert las["population"].sum() == areas.select(all_metrics, qyg)["population"].sum()


def test_per_1k_is_one_formula_and_has_no_rate_without_residents() -> None:
    assert per_1k(3, 2000) == 1.5
    assert math.isnan(per_1k(3, 0))
    got = per_1k(pd.Series([5, 0, 7]), pd.Series([2500, 0, 0]))
    assert got.iloc[0] == 2.0
    assert got.iloc[1:].isna().all()  # no residents: no rate, not infinity


def test_type_rates_of_an_area_are_its_lsoas_sums(all_metrics: pd.DataFrame) -> None:
    qyg = areas.resolve("QYG", areas.catalogue(all_metrics))
    rolled = metrics.type_rates(metrics.rollup(all_metrics, "icb", qyg, types=ALL_TYPES), ALL_TYPES)
    row = rolled.iloc[0]
    local = all_metrics[all_metrics["icb24cd"] == qyg.code]
    for t in ALL_TYPES:
        assert row[f"{t}_per_1k"] == pytest.approx(
            1000 * local[f"assets_{t}"].sum() / local["population"].sum()
        )
