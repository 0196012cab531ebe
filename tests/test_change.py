"""Change since 2019: 2019 deciles against the raw file, sums that add up, a worked slice."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from assetmap import cli, settings
from assetmap.data import dictionary
from assetmap.geography import areas
from assetmap.measures import bivariate, change, metrics
from tests.conftest import COMMUNITY_TYPES

IMD2019_LSOAS = 32_844
ENGLAND_POPULATION = 56_490_108


@pytest.fixture(scope="module")
def raw_imd19() -> pd.DataFrame:
    return pd.read_csv(settings.SOURCE_DIR / "imd2019_lsoa11.csv", usecols=[0, 1, 9])


@pytest.fixture(scope="module")
def raw_lookup() -> pd.DataFrame:
    return pd.read_csv(settings.SOURCE_DIR / "lookup_lsoa11_lsoa21_ltla22.csv")


@pytest.fixture(scope="module")
def changed(all_metrics: pd.DataFrame) -> pd.DataFrame:
    return change.decile_change(all_metrics)


def test_match_labels_are_the_four_lookup_rules(changed: pd.DataFrame) -> None:
    assert set(changed["imd19_match"]) == set(change.MATCHES)
    assert changed["imd19_match"].value_counts()["unchanged"] > 30_000


def test_unchanged_and_split_take_the_published_2019_decile(
    changed: pd.DataFrame, raw_imd19: pd.DataFrame, raw_lookup: pd.DataFrame
) -> None:
    published = raw_imd19.set_index("lsoa11_code")["IMD_decile"]
    same = changed[changed["imd19_match"] == "unchanged"]
    # An unchanged LSOA keeps its 2011 code.
    assert (same["imd19_decile"].to_numpy() == published.reindex(same["lsoa21cd"]).to_numpy()).all()
    split = changed[changed["imd19_match"] == "split"]
    parent = raw_lookup[raw_lookup["change_code"] == "S"].set_index("lsoa21_code")["lsoa11_code"]
    expected = published.reindex(parent.reindex(split["lsoa21cd"])).to_numpy()
    assert len(split) > 1_000
    assert (split["imd19_decile"].to_numpy() == expected).all()


def test_change_columns(changed: pd.DataFrame) -> None:
    delta = changed["imd_decile"] - changed["imd19_decile"]
    assert (changed["imd_decile_change"] == delta).all()
    assert (changed["became_more_deprived"] == (delta < 0)).all()
    assert (changed["imd19_comparable"] == (changed["imd19_match"] == "unchanged")).all()
    assert changed["imd_decile_change"].between(-9, 9).all()
    # Deciles are relative: over England, as many fall as rise within a few percent.
    down, up = (delta < 0).sum(), (delta > 0).sum()
    assert 0.8 < down / up < 1.25


def test_distribution_and_summary_add_up(changed: pd.DataFrame) -> None:
    dist = change.change_distribution(changed)
    by_match = dist[dist["imd19_match"] != "all"]
    counts = changed["imd19_match"].value_counts()
    sums = by_match.groupby("imd19_match")[["lsoa_count", "population"]].sum()
    assert (sums["lsoa_count"] == counts.reindex(sums.index)).all()
    every = dist[dist["imd19_match"] == "all"].set_index("imd_decile_change")
    assert every["lsoa_count"].sum() == 33_755
    assert every["population"].sum() == ENGLAND_POPULATION
    # The mean change read off the distribution is the mean change of the LSOAs.
    mean = (every.index * every["lsoa_count"]).sum() / every["lsoa_count"].sum()
    assert mean == pytest.approx(changed["imd_decile_change"].mean())
    assert every.loc[0, "lsoa_count"] == (changed["imd_decile_change"] == 0).sum()

    summary = change.change_summary(changed)
    allrows = summary[summary["imd19_match"] == "all"].set_index("change_direction")
    assert allrows.loc["more deprived", "lsoa_count"] == changed["became_more_deprived"].sum()
    assert (
        allrows.loc["more deprived", "population"]
        == changed.loc[changed["became_more_deprived"], "population"].sum()
    )
    assert allrows["lsoa_count"].sum() == 33_755
    shares = summary.groupby("imd19_match")["lsoa_share"].sum()
    assert np.allclose(shares, 1.0)


def test_change_by_match_is_one_row_per_mapping_counted_from_the_lsoas(
    changed: pd.DataFrame,
) -> None:
    wide = change.change_by_match(change.change_summary(changed))
    assert list(wide.index) == [*change.MATCHES, "all"]
    assert list(wide.columns) == [
        f"{d}_{c}" for d in change.DIRECTIONS for c in ("lsoa_count", "population")
    ]
    split = changed[changed["imd19_match"] == "split"]
    worse = split["imd_decile_change"] < 0  # a lower decile is more deprived
    assert wide.at["split", "more deprived_lsoa_count"] == worse.sum()
    assert wide.at["split", "more deprived_population"] == split.loc[worse, "population"].sum()
    every = wide.loc["all"]
    assert sum(every[f"{d}_lsoa_count"] for d in change.DIRECTIONS) == 33_755
    assert sum(every[f"{d}_population"] for d in change.DIRECTIONS) == ENGLAND_POPULATION


def test_hand_worked_slice(
    lsoas: pd.DataFrame, raw_imd19: pd.DataFrame, raw_lookup: pd.DataFrame
) -> None:
    # Cheshire and Merseyside's merged LSOAs, worked from the raw files: the population-weighted
    # mean of the parents' 2019 ranks (mid-2020 residents), turned into a 2019 decile.
    qyg = areas.Area("icb", "E54000008", "NHS Cheshire and Merseyside Integrated Care Board")
    subset = areas.select(lsoas, qyg)
    merged = subset[subset["imd19_match"] == "merged"]
    assert len(merged) >= 3
    pop20 = pd.read_csv(settings.SOURCE_DIR / "population20_lsoa11.csv")
    pop = pop20.set_index("lsoa11_code")["total_population"]
    rank19 = raw_imd19.set_index("lsoa11_code")["IMD_rank"]
    raw25 = pd.read_csv(settings.SOURCE_DIR / "imd2025_lsoa21.csv", usecols=[0, 1])
    decile25 = raw25.set_index("lsoa21_code")["IMD_decile"]
    got = change.change_summary(merged)
    for code in merged["lsoa21cd"]:
        parents = raw_lookup.loc[raw_lookup["lsoa21_code"] == code, "lsoa11_code"].tolist()
        assert len(parents) >= 2
        w = pop.reindex(parents).to_numpy(dtype=float)
        r = rank19.reindex(parents).to_numpy(dtype=float)
        decile19 = math.ceil(10 * float((w * r).sum() / w.sum()) / IMD2019_LSOAS)
        row = change.decile_change(merged[merged["lsoa21cd"] == code]).iloc[0]
        assert row["imd19_decile"] == decile19
        assert row["imd_decile_change"] == decile25[code] - decile19
    # The area summary counts these LSOAs under "merged" and nowhere else.
    assert got.loc[got["imd19_match"] == "merged", "lsoa_count"].sum() == len(merged)
    assert got.loc[got["imd19_match"] == "unchanged", "lsoa_count"].sum() == 0


def test_few_assets_is_the_least_provided_third(
    lsoas: pd.DataFrame, assets: pd.DataFrame, changed: pd.DataFrame
) -> None:
    counts = metrics.count_assets(assets, lsoas["lsoa21cd"])
    for types in (None, ["library"]):
        m = metrics.lsoa_metrics(lsoas, counts, types=types)
        few = change.few_assets(m)
        # Over a third of LSOAs have none of these types, so the least-provided third is
        # exactly the zero-asset LSOAs, however the tie at zero falls against the cut...
        assert m["zero_assets"].mean() > 1 / 3
        assert (few == m["zero_assets"]).all()
        # ...and the same LSOAs as provision tertile 1 of the national bivariate map.
        assert (few == (bivariate.tertiles(m["assets_per_1k"]) == 1)).all()
    flag = change.more_deprived_few_assets(changed)
    expected = (changed["imd_decile"] < changed["imd19_decile"]) & (
        changed["zero_assets"] | (changed["provision_percentile"] <= 100 / 3)
    )
    assert (flag == expected).all()
    assert 0 < flag.sum() < changed["became_more_deprived"].sum()
    # A stricter cut can only shrink the set.
    assert (change.more_deprived_few_assets(changed, 0.0) <= flag).all()


def test_change_table_for_an_area(all_metrics: pd.DataFrame) -> None:
    qyg = areas.Area("icb", "E54000008", "NHS Cheshire and Merseyside Integrated Care Board")
    table = change.change_table(all_metrics, qyg)
    assert list(table.columns) == list(change.CHANGE_TABLE_COLUMNS)
    assert len(table) == (all_metrics["icb24cd"] == "E54000008").sum()
    assert table["imd_decile_change"].is_monotonic_increasing
    undefined = {
        c
        for frame in (table, change.change_summary(table), change.change_distribution(table))
        for c in frame.columns
        if c not in dictionary.COLUMNS
    }
    assert undefined == set()


def test_cli_change(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["change", "--area", "icb:QYG", "--what", "summary"]) == 0
    out = capsys.readouterr()
    assert "more deprived" in out.out
    assert "Cheshire and Merseyside" in out.err


def test_change_flags_join_each_lsoas_own_change(community_metrics: pd.DataFrame) -> None:
    qyg = areas.resolve("QYG", areas.catalogue(community_metrics))
    gaps = metrics.gap_table(community_metrics, qyg, types=COMMUNITY_TYPES, need="imd")
    got = change.with_change_flags(gaps, community_metrics)
    assert list(got["lsoa21cd"]) == list(gaps["lsoa21cd"])
    assert list(got.columns) == [*gaps.columns, *change.CHANGE_FLAG_COLUMNS]
    raw = community_metrics.set_index("lsoa21cd").loc[got["lsoa21cd"]]
    comparable = raw["imd19_decile"].notna().to_numpy()
    expected = (raw["imd_decile"] - raw["imd19_decile"]).to_numpy()[comparable]
    assert (got["imd_decile_change"].to_numpy()[comparable] == expected).all()
    # "More deprived, few assets": a lower decile than 2019 and none or the least-provided third.
    few = raw["zero_assets"] | (raw["provision_percentile"] <= 100 / 3)
    want = (raw["imd_decile"] < raw["imd19_decile"]) & few
    assert (got["more_deprived_few_assets"].to_numpy() == want.to_numpy()).all()
    shown = metrics.select_gaps(got, core20=True, more_deprived_few_assets=True)
    assert len(shown) == int((got["core20"] & got["more_deprived_few_assets"]).sum()) > 0
    assert metrics.select_gaps(got).equals(got)
