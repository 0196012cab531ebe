"""CSV exports are UTF-8 and safe to open in a spreadsheet."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from assetmap import export


@pytest.mark.parametrize("danger", ["=1+1", "+44 20", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(danger: str) -> None:
    frame = pd.DataFrame({"name": [danger, "Library"], "gap_score": [-12.5, 3.0]})
    text = export.to_csv_bytes(frame).decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert export.neutralise(frame)["name"].iloc[0] == "'" + danger
    assert back["name"].iloc[0].startswith("'")
    assert back["name"].iloc[1] == "Library"
    # Numbers stay numbers, negative ones included.
    assert back["gap_score"].tolist() == [-12.5, 3.0]


def test_utf8_with_bom_and_unicode() -> None:
    frame = pd.DataFrame({"name": ["Ynys Môn café"]})
    raw = export.to_csv_bytes(frame)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "Ynys Môn café" in raw.decode("utf-8-sig")


def test_source_frame_is_not_changed() -> None:
    frame = pd.DataFrame({"name": ['=HYPERLINK("x")']})
    export.neutralise(frame)
    assert frame["name"].iloc[0] == '=HYPERLINK("x")'
