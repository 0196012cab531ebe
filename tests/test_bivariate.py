"""Deprivation x provision thirds, their cell counts, the palette and the 2-D legend."""

from __future__ import annotations

import itertools
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import pytest
from markupsafe import escape

from assetmap.geography import areas
from assetmap.measures import bivariate
from assetmap.presentation import colour


@pytest.fixture(scope="module")
def qyg_area(lsoas: pd.DataFrame) -> areas.Area:
    return areas.resolve("icb:QYG", areas.catalogue(lsoas))


@pytest.fixture(scope="module")
def england(all_metrics: pd.DataFrame) -> bivariate.BivariateClasses:
    return bivariate.classify(all_metrics, need="imd")


@pytest.fixture(scope="module")
def national(england: bivariate.BivariateClasses) -> pd.DataFrame:
    return england.table


def _expected_tertiles(values: pd.Series) -> pd.Series:
    # Independent of pandas' rank: R = 1 + how many values are strictly smaller (searchsorted),
    # and the tertile is 1 + the number of cut points n/3, 2n/3 that R passes.
    ordered = np.sort(values.to_numpy())
    rank = np.searchsorted(ordered, values.to_numpy(), side="left") + 1
    n = len(values)
    return pd.Series(1 + (3 * rank > n) + (3 * rank > 2 * n), index=values.index)


def test_national_deprivation_thirds_are_balanced(
    national: pd.DataFrame, all_metrics: pd.DataFrame
) -> None:
    counts = national["deprivation_tertile"].value_counts()
    assert sorted(counts.index) == [1, 2, 3]
    assert set(counts) <= {11_251, 11_252}
    assert counts.sum() == len(all_metrics) == 33_755
    rank = all_metrics.set_index("lsoa21cd")["imd_rank"]
    by_tertile = rank.groupby(national["deprivation_tertile"])
    # Tertile 1 holds the most deprived (lowest ranks), with no overlap between thirds.
    assert by_tertile.max()[1] < by_tertile.min()[2]
    assert by_tertile.max()[2] < by_tertile.min()[3]
    assert rank[national["deprivation_tertile"] == 1].min() == 1


def test_provision_ties_share_the_lower_third(
    england: bivariate.BivariateClasses, national: pd.DataFrame, all_metrics: pd.DataFrame
) -> None:
    rate = all_metrics.set_index("lsoa21cd")["assets_per_1k"]
    tertile = national["provision_tertile"]
    pd.testing.assert_series_equal(
        tertile, _expected_tertiles(rate).astype("int64"), check_names=False
    )
    zero = rate == 0
    assert zero.mean() > 1 / 3, "with all layers over a third of LSOAs have no asset"
    assert (tertile[zero] == 1).all()
    # So tertile 1 is exactly the zero-asset LSOAs, and the thirds cannot be balanced.
    assert (tertile == 1).sum() == zero.sum() > len(rate) / 3
    assert (rate.groupby(tertile).nunique() >= 1).all()
    assert rate.groupby(tertile).max()[2] < rate.groupby(tertile).min()[3]
    assert england.zero_asset_share == pytest.approx(zero.mean())
    assert (england.bands, england.need, england.area) == ("national", "imd", areas.ENGLAND.ref)


def test_a_single_rare_layer_leaves_the_middle_third_empty(
    all_metrics: pd.DataFrame, lsoas: pd.DataFrame, assets: pd.DataFrame
) -> None:
    from assetmap.measures import metrics

    counts = metrics.count_assets(assets, lsoas["lsoa21cd"])
    museums = metrics.lsoa_metrics(lsoas, counts, types=["museum"])
    classes = bivariate.classify(museums, need="imd").table
    zero = museums["assets_per_1k"].eq(0).to_numpy()
    assert zero.mean() >= 2 / 3
    assert set(classes["provision_tertile"]) == {1, 3}
    assert (classes["provision_tertile"].to_numpy()[zero] == 1).all()


def test_area_bands_are_the_areas_own_thirds(
    all_metrics: pd.DataFrame, qyg_area: areas.Area
) -> None:
    found = bivariate.classify(all_metrics, qyg_area, need="imd", bands="area")
    classes = found.table
    subset = areas.select(all_metrics, qyg_area).set_index("lsoa21cd")
    n = len(subset)
    assert len(classes) == n
    counts = classes["deprivation_tertile"].value_counts()
    assert set(counts) <= {n // 3, n // 3 + 1}
    expected = _expected_tertiles(subset["imd_rank"]).astype("int64")
    pd.testing.assert_series_equal(classes["deprivation_tertile"], expected, check_names=False)
    expected = _expected_tertiles(subset["assets_per_1k"]).astype("int64")
    pd.testing.assert_series_equal(classes["provision_tertile"], expected, check_names=False)
    assert found.bands == "area"


def test_national_bands_for_an_area_are_englands(
    all_metrics: pd.DataFrame, national: pd.DataFrame, qyg_area: areas.Area
) -> None:
    found = bivariate.classify(all_metrics, qyg_area, need="imd")
    codes = areas.select(all_metrics, qyg_area)["lsoa21cd"]
    pd.testing.assert_frame_equal(found.table, national.loc[codes], check_like=False)
    assert found.area == qyg_area.ref
    assert found.bands == "national"


def test_class_names_and_colours(national: pd.DataFrame) -> None:
    expected = (
        national["deprivation_tertile"].astype(str)
        + "-"
        + national["provision_tertile"].astype(str)
    )
    assert national["bivariate_class"].equals(expected)
    assert national["bivariate_colour"].equals(national["bivariate_class"].map(bivariate.PALETTE))
    assert len(set(bivariate.PALETTE.values())) == 9
    # Most deprived and least provided is the darkest cell, the opposite corner the lightest.
    darkness = {
        k: sum(int(v[i : i + 2], 16) for i in (1, 3, 5)) for k, v in bivariate.PALETTE.items()
    }
    assert min(darkness, key=darkness.__getitem__) == "1-1"
    assert max(darkness, key=darkness.__getitem__) == "3-3"


def test_cell_counts_add_up_to_the_area(all_metrics: pd.DataFrame, qyg_area: areas.Area) -> None:
    classes = bivariate.classify(all_metrics, qyg_area, need="imd").table
    cells = bivariate.cell_counts(classes)
    subset = areas.select(all_metrics, qyg_area)
    assert len(cells) == 9
    assert cells["lsoa_count"].sum() == len(subset)
    assert cells["population"].sum() == subset["population"].sum()
    crosstab = pd.crosstab(classes["deprivation_tertile"], classes["provision_tertile"])
    for row in cells.itertuples():
        expected = crosstab.get(row.provision_tertile, pd.Series(dtype=int)).get(
            row.deprivation_tertile, 0
        )
        assert row.lsoa_count == expected
    one_one = subset.set_index("lsoa21cd")["population"][classes["bivariate_class"] == "1-1"]
    assert cells.set_index("bivariate_class").at["1-1", "population"] == one_one.sum()


# Machado, Oliveira and Fernandes (2009), severity 1, applied to linear RGB.
_CVD = {
    "normal": np.eye(3),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}


def _lab(colours: list[str], matrix: np.ndarray) -> np.ndarray:
    rgb = np.array([[int(c[i : i + 2], 16) / 255 for i in (1, 3, 5)] for c in colours])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    linear = np.clip(linear @ matrix.T, 0, 1)
    to_xyz = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    )
    xyz = linear @ to_xyz.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.c_[116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])]


def test_palette_stays_distinguishable_with_colour_blindness() -> None:
    colours = list(bivariate.PALETTE.values())
    for vision, matrix in _CVD.items():
        lab = _lab(colours, matrix)
        closest = min(np.linalg.norm(a - b) for a, b in itertools.combinations(lab, 2))
        assert closest > 9, vision
    # The library's figure (the Methods page prints it) is this test's own computation.
    ours = min(
        np.linalg.norm(a - b)
        for matrix in _CVD.values()
        for a, b in itertools.combinations(_lab(colours, matrix), 2)
    )
    assert colour.closest_pair_under_cvd(colours) == pytest.approx(ours, abs=1e-9)
    # The popular pink-blue palette would not pass: the check can fail.
    pink_blue = ["#e8e8e8", "#ace4e4", "#5ac8c8", "#dfb0d6", "#a5add3"]
    pink_blue += ["#5698b9", "#be64ac", "#8c62aa", "#3b4994"]
    lab = _lab(pink_blue, _CVD["deuteranopia"])
    assert min(np.linalg.norm(a - b) for a, b in itertools.combinations(lab, 2)) < 9


def test_legend_draws_the_grid_labels_and_counts(
    all_metrics: pd.DataFrame, qyg_area: areas.Area
) -> None:
    cells = bivariate.cell_counts(bivariate.classify(all_metrics, qyg_area, need="imd").table)
    title = 'Assets <script>alert("x")</script> & deprivation'
    fmap = folium.Map(tiles=None)
    bivariate.Legend2D(cells, title=title, note="National thirds").add_to(fmap)
    html = fmap.get_root().render()
    for swatch in bivariate.PALETTE.values():
        assert f"background:{swatch}" in html
    assert bivariate.X_LABEL in html
    assert bivariate.Y_LABEL in html
    assert str(escape(title)) in html
    assert "<script>alert" not in html
    for row in cells.itertuples():
        assert f"{row.lsoa_count:,} LSOAs, {row.population:,} residents" in html


def test_legend_without_counts_and_a_bad_corner() -> None:
    fmap = folium.Map(tiles=None)
    bivariate.Legend2D().add_to(fmap)
    html = fmap.get_root().render()
    assert html.count('role="listitem"') == 9
    assert "LSOAs," not in html
    with pytest.raises(ValueError, match="position"):
        bivariate.Legend2D(position="middle")


def test_missing_values_are_refused() -> None:
    with pytest.raises(ValueError, match="missing"):
        bivariate.tertiles(pd.Series([1.0, np.nan, 2.0], name="assets_per_1k"))


def test_every_column_is_in_the_dictionary(national: pd.DataFrame) -> None:
    from assetmap.data import dictionary

    cells = bivariate.cell_counts(national)
    columns = [national.index.name, *national.columns, *cells.columns]
    assert [c for c in columns if c not in dictionary.COLUMNS] == []


def test_cli_writes_classes_and_cells(tmp_path: Path, qyg_area: areas.Area) -> None:
    from assetmap import cli

    rows, cells = tmp_path / "rows.csv", tmp_path / "cells.csv"
    assert cli.main(["bivariate", "--area", "icb:QYG", "--out", str(rows)]) == 0
    assert cli.main(["bivariate", "--area", "icb:QYG", "--cells", "--out", str(cells)]) == 0
    table, grid = pd.read_csv(rows), pd.read_csv(cells)
    assert grid["lsoa_count"].sum() == len(table)
    assert grid["population"].sum() == table["population"].sum()
    assert set(table["bivariate_class"]) <= set(bivariate.PALETTE)
