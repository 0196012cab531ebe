"""The assetmap command on the real build."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from assetmap import cli


def test_gaps_for_an_icb_to_csv(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "gaps.csv"
    assert cli.main(["gaps", "--area", "icb:QYG", "--out", str(out)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert len(table) == 1601
    assert table["gap_rank"].iloc[0] == 1
    assert (table["icb24cdh"] == "QYG").all()


def test_deciles_prints_the_table(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["deciles", "--types", "sports_club"]) == 0
    out = capsys.readouterr().out
    assert "sports_club" in out
    assert "ratio_to_least_deprived" in out


def test_summary_by_icb(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "icb.csv"
    assert cli.main(["summary", "--by", "icb", "--out", str(out)]) == 0
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == 42
    out2 = tmp_path / "lad_in_qyg.csv"
    assert (
        cli.main(
            ["summary", "--by", "lad", "--area", "Cheshire and Merseyside", "--out", str(out2)]
        )
        == 0
    )
    assert len(pd.read_csv(out2, encoding="utf-8-sig")) == 9


def test_unknown_area_is_a_clear_error(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["gaps", "--area", "lad:Birmingam"]) == 2
    err = capsys.readouterr().err
    assert "no area matches 'lad:Birmingam'" in err
    assert "Birmingham" in err
    assert "Traceback" not in err


def test_missing_build_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--data-dir", str(tmp_path), "deciles"]) == 1
    assert "run `assetmap build` first" in capsys.readouterr().err


def test_gaps_filters_left_behind_and_more_deprived(
    data_dir: Path, tmp_path: Path, all_metrics: pd.DataFrame
) -> None:
    out = tmp_path / "left.csv"
    assert cli.main(["gaps", "--area", "icb:QYG", "--left-behind", "--out", str(out)]) == 0
    left = pd.read_csv(out)
    qyg = all_metrics[all_metrics["icb24cdh"] == "QYG"]
    assert len(left) == int(qyg["left_behind"].sum()) > 0
    out = tmp_path / "worse.csv"
    args = ["gaps", "--area", "icb:QYG", "--more-deprived-few-assets", "--out", str(out)]
    assert cli.main(args) == 0
    worse = pd.read_csv(out)
    few = (qyg["assets"] == 0) | (qyg["provision_percentile"] <= 100 / 3)  # least-provided third
    expected = qyg[(qyg["imd_decile"] < qyg["imd19_decile"]) & few]
    assert sorted(worse["lsoa21cd"]) == sorted(expected["lsoa21cd"])
