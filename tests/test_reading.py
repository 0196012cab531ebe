"""Plain-English readings follow the numbers."""

from __future__ import annotations

import math

import pandas as pd

from assetmap.geography import areas
from assetmap.measures import metrics
from assetmap.presentation import reading
from tests.conftest import ALL_TYPES


def test_compare_words() -> None:
    assert reading.compare_words(0.041, 0.150) == "3.7 times rarer"
    assert reading.compare_words(0.175, 0.054) == "3.2 times as common"
    assert reading.compare_words(1.0, 1.05) == "about as common"
    assert reading.compare_words(0.0, 0.0) == "absent from both"
    assert reading.compare_words(math.nan, 1.0) == "not comparable"


def test_by_type_puts_the_scarcest_first(all_metrics: pd.DataFrame) -> None:
    table = metrics.decile_table(all_metrics, ALL_TYPES)
    rows = reading.by_type(table, {"sports_club": "Sports clubs"})
    label, dep, aff, words = rows[0]
    assert label == "Sports clubs"
    assert dep < aff
    assert words.endswith("times rarer")
    assert [r[1] / r[2] for r in rows] == sorted(r[1] / r[2] for r in rows)


def test_headline_quotes_the_table(all_metrics: pd.DataFrame) -> None:
    table = metrics.decile_table(all_metrics, ["sports_club", "foodbank", "library"])
    text = reading.headline(table, table, areas.ENGLAND, "community", "sports clubs")
    # The community family's total: sports clubs and food banks, not libraries.
    rows = table[(table["asset_type"] == "all") & (table["family"] == "community")]
    assert rows["assets"].sum() == (
        all_metrics["assets_sports_club"].sum() + all_metrics["assets_foodbank"].sum()
    )
    dep = (
        1000
        * rows[rows["imd_decile"] <= 2]["assets"].sum()
        / rows[rows["imd_decile"] <= 2]["population"].sum()
    )
    assert f"**{dep:.2f}**" in text
    assert "times rarer" in text


def test_headline_changes_with_the_family(all_metrics: pd.DataFrame) -> None:
    table = metrics.decile_table(all_metrics, ["sports_club", "foodbank", "library"])
    community = reading.headline(table, table, areas.ENGLAND, "community", "x")
    public = reading.headline(table, table, areas.ENGLAND, "public_services", "x")
    assert community != public
    assert "times as common" in public  # libraries: more common in deprived town centres


def test_core20_without_counts_one_familys_types(all_metrics: pd.DataFrame) -> None:
    local = areas.select(all_metrics, areas.Area("icb", "E54000008", "x"))
    none = (local["assets_sports_club"] == 0) & (local["assets_foodbank"] == 0)
    expected = int((local["core20"] & none).sum())
    assert reading.core20_without(local, ["sports_club", "foodbank"]) == expected
    assert reading.core20_without(local, ["library"]) != expected


def test_thin_places_are_deprived_and_empty(all_metrics: pd.DataFrame) -> None:
    gaps = metrics.gap_table(
        all_metrics, areas.Area("icb", "E54000008", "x"), types=ALL_TYPES, need="imd"
    )
    thin = reading.thin_places(gaps, n=5)
    assert len(thin) == 5
    assert thin["core20"].all()
    assert thin["zero_assets"].all()
    assert thin["gap_score"].is_monotonic_decreasing
    key = reading.key_figures(areas.select(all_metrics, areas.Area("icb", "E54000008", "x")))
    assert key["lsoa_count"] == 1601
