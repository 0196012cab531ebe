"""CSV export that is safe to open in Excel.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula ("CSV injection"). Text cells that start that way get a leading apostrophe, the
mark Excel and LibreOffice read as "this is text"; numbers are left alone, so a negative gap score
stays a number. Files are UTF-8 with a byte-order mark so Excel detects the encoding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pandas as pd
from pandas.api.types import is_object_dtype, is_string_dtype

_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe.

    Parameters
    ----------
    frame
        Any table.

    Returns
    -------
    pandas.DataFrame
        A copy; only text cells starting with ``=``, ``+``, ``-``, ``@``, tab or CR change.
        Column names are treated the same way.
    """
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if is_object_dtype(series.dtype) or is_string_dtype(series.dtype):
            text = series.astype("string")
            risky = text.str.startswith(_FORMULA_START).fillna(False).astype(bool)
            if risky.any():
                out[col] = series.astype(object).where(~risky, "'" + text)
    out.columns = ["'" + str(c) if str(c).startswith(_FORMULA_START) else c for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as Excel-safe CSV bytes (UTF-8 with BOM, no index).

    Parameters
    ----------
    frame
        Any table.

    Returns
    -------
    bytes
    """
    text: str = neutralise(frame).to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write :func:`to_csv_bytes` to a file.

    Parameters
    ----------
    frame
        Any table.
    path
        Destination file.

    Returns
    -------
    Path
        ``path``.
    """
    path.write_bytes(to_csv_bytes(frame))
    return path
