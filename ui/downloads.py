"""CSV downloads shared by the table pages: what is shown, and the whole table."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from assetmap.presentation import export


def shown_and_full(
    shown: pd.DataFrame,
    full: Callable[[], pd.DataFrame],
    stem: str,
    *,
    shown_suffix: str = "",
    full_label: str = "Download the full table (CSV)",
) -> None:
    """Two Excel-safe CSV buttons side by side: exactly what is shown, and the full table.

    ``full`` is called only when its button is clicked, so a large table costs nothing until
    someone asks for it. File names are ``{stem}{shown_suffix}.csv`` and ``{stem}_full.csv``.
    """
    left, right, _ = st.columns([1, 1, 2])
    left.download_button(
        "Download what is shown (CSV)",
        data=export.to_csv_bytes(shown),
        file_name=f"{stem}{shown_suffix}.csv",
        mime="text/csv",
    )
    right.download_button(
        full_label,
        data=lambda: export.to_csv_bytes(full()),
        file_name=f"{stem}_full.csv",
        mime="text/csv",
    )
