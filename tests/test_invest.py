"""Where to invest first: a hand-worked slice, ranking properties, stability and reasons."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata

from assetmap import cli
from assetmap.data import dictionary, store
from assetmap.data.assets import ASSET_SOURCES
from assetmap.geography import areas
from assetmap.measures import access, invest, metrics
from assetmap.measures.invest import DEFAULT_CRITERIA, Criterion

QYG = areas.Area("icb", "E54000008", "NHS Cheshire and Merseyside Integrated Care Board")
ANFIELD = areas.Area("ward", "E05015279", "Anfield")
#: The need measure of ``all_metrics``.
NEED = "imd"


@pytest.fixture(scope="module")
def with_access(
    data_dir: object, lsoas: pd.DataFrame, assets: pd.DataFrame, all_metrics: pd.DataFrame
) -> pd.DataFrame:
    found = access.access_metrics(
        store.load_residence(),
        lsoas.set_index("lsoa21cd")["population"],
        assets,
        types=list(ASSET_SOURCES),  # what all_metrics counts
    )
    return all_metrics.join(found.table, on="lsoa21cd")


def _by_code(frame: pd.DataFrame, column: str, code: str = "lsoa21cd") -> pd.Series:
    return frame.set_index(code)[column]


def test_hand_worked_ward(
    with_access: pd.DataFrame, lsoas: pd.DataFrame, assets: pd.DataFrame
) -> None:
    # Every percentile recomputed here from the LSOA table, the asset points and fca_per_1k.
    n = len(lsoas)
    need = 100 * (n - lsoas["imd_rank"].to_numpy()) / (n - 1)
    count = assets["lsoa21cd"].value_counts().reindex(lsoas["lsoa21cd"], fill_value=0)
    rate = 1000 * count.to_numpy() / lsoas["population"].to_numpy()
    provision = 100 - 100 * (rankdata(rate) - 1) / (n - 1)
    fca = _by_code(with_access, "fca_per_1k").reindex(lsoas["lsoa21cd"]).to_numpy()
    walk = 100 - 100 * (rankdata(fca) - 1) / (n - 1)
    score = (2 * need + 1 * provision + 1 * walk) / 4
    inward = (lsoas["ward24cd"] == ANFIELD.code).to_numpy()
    assert 3 <= inward.sum() <= 10
    mine = pd.DataFrame(
        {"score": score[inward], "need": need[inward]}, index=lsoas.loc[inward, "lsoa21cd"]
    )
    mine = mine.sort_values(["score", "need"], ascending=False)

    ranking = invest.rank(
        with_access, ANFIELD, {"deprivation": 2, "provision": 1, "access": 1}, need=NEED
    )
    got = ranking.table
    assert got["lsoa21cd"].tolist() == mine.index.tolist()
    assert np.allclose(got["invest_score"], mine["score"])
    assert got["invest_rank"].tolist() == list(range(1, len(mine) + 1))
    assert ranking.weights == pytest.approx({"deprivation": 0.5, "provision": 0.25, "access": 0.25})
    assert [s.split(":")[0] for s in ranking.skipped] == ["cold_spot"]
    assert ranking.criteria == ("deprivation", "provision", "access")
    assert (ranking.by, ranking.area, ranking.need) == ("lsoa", ANFIELD.ref, NEED)


def test_ranks_are_a_permutation(with_access: pd.DataFrame) -> None:
    got = invest.rank(with_access, QYG, need=NEED).table
    n = (with_access["icb24cd"] == QYG.code).sum()
    assert len(got) == n == 1_601
    assert sorted(got["invest_rank"]) == list(range(1, n + 1))
    assert got["invest_score"].is_monotonic_decreasing
    assert got["invest_score"].between(0, 100).all()
    assert got["invest_top_share"].between(0, 1).all()
    assert (got["invest_rank_low"] <= got["invest_rank_high"]).all()
    assert got["invest_rank_low"].min() >= 1
    assert got["invest_rank_high"].max() <= n
    # Each draw has exactly 20 LSOAs in its top 20; the draws move ranks further down.
    assert got["invest_top_share"].sum() == pytest.approx(20)
    assert (got["invest_rank_high"] > got["invest_rank_low"]).mean() > 0.5


def test_reordered_criteria_and_scaled_weights_change_nothing(with_access: pd.DataFrame) -> None:
    base = invest.rank(with_access, QYG, need=NEED).table
    reordered = invest.rank(
        with_access, QYG, criteria=tuple(reversed(DEFAULT_CRITERIA)), need=NEED
    ).table
    assert _by_code(reordered, "invest_rank").equals(
        _by_code(base, "invest_rank").reindex(reordered["lsoa21cd"])
    )
    explicit = invest.rank(
        with_access, QYG, {"deprivation": 1, "provision": 1, "access": 1}, need=NEED
    ).table
    pd.testing.assert_frame_equal(explicit, base)
    weights = {"deprivation": 3, "provision": 1, "access": 2}
    once = invest.rank(with_access, QYG, weights, need=NEED).table
    twice = invest.rank(with_access, QYG, {k: 2 * v for k, v in weights.items()}, need=NEED).table
    pd.testing.assert_frame_equal(once, twice)
    assert not once["lsoa21cd"].equals(base["lsoa21cd"])


def test_all_weight_on_deprivation_is_the_need_order(with_access: pd.DataFrame) -> None:
    got = invest.rank(
        with_access, QYG, {"deprivation": 1, "provision": 0, "access": 0}, need=NEED
    ).table
    assert got["need_percentile"].is_monotonic_decreasing
    assert np.allclose(got["invest_score"], got["need_percentile"])
    # One positive weight: every draw is that weight, so the ranking cannot move.
    assert set(got["invest_top_share"]) == {0.0, 1.0}
    assert (got["invest_rank_low"] == got["invest_rank"]).all()
    # Reasons name only the criterion with weight.
    assert got["invest_reasons"].str.contains("most deprived").head(20).all()
    assert not got["invest_reasons"].str.contains("nearest asset|chosen types").any()


@pytest.mark.parametrize("concentration", [1e9, math.inf])
def test_concentrated_draws_reproduce_the_ranking(
    with_access: pd.DataFrame, concentration: float
) -> None:
    got = invest.rank(
        with_access, QYG, {"deprivation": 2}, concentration=concentration, top_n=25, need=NEED
    ).table
    assert ((got["invest_top_share"] == 1.0) == (got["invest_rank"] <= 25)).all()
    assert ((got["invest_top_share"] == 0.0) == (got["invest_rank"] > 25)).all()
    if math.isinf(concentration):
        assert (got["invest_rank_low"] == got["invest_rank"]).all()
        assert (got["invest_rank_high"] == got["invest_rank"]).all()
    else:  # near-ties further down may still swap with a neighbour
        assert (got["invest_rank_low"] - got["invest_rank"]).abs().max() <= 1


def test_draws_are_reproducible_and_seeded(with_access: pd.DataFrame) -> None:
    a = invest.rank(with_access, QYG, draws=200, concentration=5, need=NEED).table
    b = invest.rank(with_access, QYG, draws=200, concentration=5, need=NEED).table
    c = invest.rank(with_access, QYG, draws=200, concentration=5, seed=7, need=NEED).table
    pd.testing.assert_frame_equal(a, b)
    assert not np.array_equal(a["invest_top_share"], c["invest_top_share"])
    # Looser draws spread the ranks further than the default concentration.
    tight = invest.rank(with_access, QYG, draws=200, need=NEED).table
    spread = (a["invest_rank_high"] - a["invest_rank_low"]).mean()
    assert spread > (tight["invest_rank_high"] - tight["invest_rank_low"]).mean()


def test_reasons_name_each_contributing_criterion(with_access: pd.DataFrame) -> None:
    got = invest.rank(with_access, QYG, need=NEED).table
    phrases = {
        "invest_deprivation": "most deprived",
        "invest_provision": "least provided|chosen types in the LSOA",
        "invest_access": "walking distance|nearest asset",
    }
    for col, phrase in phrases.items():
        named = got["invest_reasons"].str.contains(phrase)
        assert (named == (got[col] >= 50)).all(), col
    # The values are read, not written in: the first row's numbers recomputed here.
    top = got.iloc[0]
    share = max(1, math.ceil(round(100 - top["need_percentile"], 6)))
    assert f"England's most deprived {share}%" in top["invest_reasons"]
    if top["walk_assets"] == 0:
        assert f"nearest asset {top['walk_nearest_m'] / 1000:.1f} km away" in top["invest_reasons"]
    # Strongest contribution first.
    first = got["invest_reasons"].str.split("; ").str[0]
    strongest = got[list(phrases)].idxmax(axis=1).map(phrases)
    assert all(pd.Series(first).str.contains(p).iloc[i] for i, p in enumerate(strongest[:50]))


def test_missing_columns_are_skipped(all_metrics: pd.DataFrame) -> None:
    ranking = invest.rank(all_metrics, QYG, need=NEED)
    assert ranking.criteria == ("deprivation", "provision")
    assert list(ranking.labels) == ["deprivation", "provision"]
    assert {s.split(":")[0] for s in ranking.skipped} == {"access", "cold_spot"}
    assert "invest_access" not in ranking.table


def test_wards_are_population_weighted(all_metrics: pd.DataFrame) -> None:
    # A yes/no criterion on a real column stands in for the cold spot: a ward's value must be
    # 100 x the share of its residents in qualifying LSOAs.
    rural = Criterion(
        "rural",
        "urban_rural",
        "higher",
        "Rural",
        lambda frame, pct, need: pd.Series("rural", index=frame.index),
        "{c:.0f}% of residents in rural LSOAs",
        scale="flag",
        flag_value="Rural",
    )
    crits = (*DEFAULT_CRITERIA[:2], rural)
    got = invest.rank(all_metrics, QYG, by="ward", criteria=crits, need=NEED).table
    subset = areas.select(all_metrics, QYG)
    assert len(got) == subset["ward24cd"].nunique()
    assert sorted(got["invest_rank"]) == list(range(1, len(got) + 1))
    assert got["population"].sum() == subset["population"].sum()
    pop = subset.groupby("ward24cd")["population"].sum()
    rural_pop = subset[subset["urban_rural"] == "Rural"].groupby("ward24cd")["population"].sum()
    expected = 100 * rural_pop.reindex(pop.index, fill_value=0) / pop
    assert np.allclose(_by_code(got, "invest_rural", "ward24cd").reindex(pop.index), expected)
    need = (subset["need_percentile"] * subset["population"]).groupby(subset["ward24cd"]).sum()
    assert np.allclose(
        _by_code(got, "invest_deprivation", "ward24cd").reindex(pop.index), need / pop
    )
    assert got["invest_reasons"].str.contains("average resident's LSOA").any()


def test_invalid_weights(all_metrics: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="unknown criteria"):
        invest.rank(all_metrics, QYG, {"happiness": 1}, need=NEED)
    with pytest.raises(ValueError, match="not negative"):
        invest.rank(all_metrics, QYG, {"deprivation": -1}, need=NEED)
    with pytest.raises(ValueError, match="positive weight"):
        invest.rank(all_metrics, QYG, {"deprivation": 0, "provision": 0, "access": 5}, need=NEED)
    with pytest.raises(ValueError, match="key=number"):
        invest.parse_weights(["deprivation"])
    assert invest.parse_weights(["deprivation=2", "access=0.5"]) == {
        "deprivation": 2.0,
        "access": 0.5,
    }


def test_table_columns_are_defined_and_spelled_out(with_access: pd.DataFrame) -> None:
    ranking = invest.rank(with_access, QYG, need=NEED)
    ranked = ranking.table
    wards = invest.rank(with_access, QYG, by="ward", need=NEED).table
    for frame in (ranked, wards):
        assert [c for c in frame.columns if c not in dictionary.COLUMNS] == []
    table = invest.invest_table(ranked, ranking.labels, top=10)
    assert len(table) == 10
    assert "Why invest here" in table.columns
    assert "invest_reasons" not in table.columns
    assert not any(c.startswith("invest_") for c in table.columns)


def test_cli_invest(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["invest", "--area", "icb:QYG", "--no-cold-spots", "--weights", "deprivation=2"]
    assert cli.main([*argv, "--top", "5"]) == 0
    out = capsys.readouterr()
    assert "deprivation 0.50" in out.err
    assert "E01" in out.out
    assert cli.main(["invest", "--weights", "oops=1"]) == 2


def test_cold_spot_criterion(with_access: pd.DataFrame) -> None:
    from assetmap.measures import hotspots

    # National clusters, as the CLI computes them (an area alone has too few tests to pass the
    # false-discovery-rate cut).
    found = hotspots.local_gap_clusters(with_access, store.load_contiguity())
    frame = with_access.join(found.table[["gap_cluster_p", "gap_cluster"]], on="lsoa21cd")
    ranking = invest.rank(frame, QYG, need=NEED)
    got = ranking.table
    assert ranking.skipped == ()
    cold = got["gap_cluster"].astype(str) == "under-provided cluster"
    assert cold.any()
    assert (got["invest_cold_spot"] == np.where(cold, 100.0, 0.0)).all()
    named = got["invest_reasons"].str.contains("significant under-provided cluster")
    assert (named == cold).all()
    row = got[cold].iloc[0]
    assert f"(p = {row['gap_cluster_p']:.2g})" in row["invest_reasons"]


def test_reasons_follow_the_need_measure(lsoas: pd.DataFrame, assets: pd.DataFrame) -> None:
    counts = metrics.count_assets(assets, lsoas["lsoa21cd"])
    health = metrics.lsoa_metrics(lsoas, counts, types=["library"], need="health")
    got = invest.rank(health, QYG, {"deprivation": 1, "provision": 0}, need="health").table
    assert got["invest_reasons"].iloc[0].startswith("in England's most deprived")
    assert got["invest_reasons"].iloc[0].endswith("on the health domain")
    ranks = health.set_index("lsoa21cd")["health_rank"].reindex(got["lsoa21cd"])
    assert ranks.is_monotonic_increasing
    assert np.allclose(got["invest_deprivation"], got["need_percentile"])
