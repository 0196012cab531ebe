"""Areas by ONS code, NHS code or name; clear errors with close matches."""

from __future__ import annotations

import pandas as pd
import pytest

from assetmap.geography import areas


@pytest.fixture(scope="module")
def cat(lsoas: pd.DataFrame) -> pd.DataFrame:
    return areas.catalogue(lsoas)


@pytest.mark.parametrize(
    "query",
    [
        "icb:QYG",
        "QYG",
        "qyg",
        "E54000008",
        "Cheshire and Merseyside",
        "NHS Cheshire and Merseyside Integrated Care Board",
        "icb:cheshire & merseyside",
    ],
)
def test_resolves_an_icb_many_ways(cat: pd.DataFrame, query: str) -> None:
    area = areas.resolve(query, cat)
    assert (area.level, area.code, area.nhs_code) == ("icb", "E54000008", "QYG")


def test_resolves_other_levels(cat: pd.DataFrame) -> None:
    assert areas.resolve("lad:Manchester", cat).code == "E08000003"
    assert areas.resolve("E08000003", cat).name == "Manchester"
    assert areas.resolve("sicbl:01F", cat).level == "sicbl"
    assert areas.resolve("region:North West", cat).code == "E12000002"
    assert areas.resolve("england", cat) == areas.ENGLAND


def test_unknown_area_lists_close_matches(cat: pd.DataFrame) -> None:
    with pytest.raises(areas.AreaNotFoundError, match=r"Close matches: .*Manchester"):
        areas.resolve("lad:Manchster", cat)
    with pytest.raises(areas.AreaNotFoundError, match="unknown level 'county'"):
        areas.resolve("county:Kent", cat)


def test_ambiguous_name_asks_for_a_level(cat: pd.DataFrame) -> None:
    # "Leeds" is a local authority and the partial name of a sub-ICB location.
    with pytest.raises(areas.AmbiguousAreaError, match="level prefix"):
        areas.resolve("Bristol", cat)


def test_select_returns_the_area_lsoas(lsoas: pd.DataFrame, cat: pd.DataFrame) -> None:
    area = areas.resolve("lad:Manchester", cat)
    assert len(areas.select(lsoas, area)) == (lsoas["lad24cd"] == "E08000003").sum()
    assert len(areas.select(lsoas, areas.ENGLAND)) == len(lsoas)
