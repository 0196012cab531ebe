"""Cached loaders: every page reads the built data through these, keyed by plain values."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assetmap import areas, metrics, store


@st.cache_data(show_spinner="Loading LSOAs…")
def lsoa_table() -> pd.DataFrame:
    """The LSOA table without geometry."""
    return store.load_lsoas()


@st.cache_data(show_spinner="Counting assets…")
def asset_counts() -> pd.DataFrame:
    """Assets of each open layer per LSOA."""
    return metrics.count_assets(store.load_assets(), lsoa_table()["lsoa21cd"])


@st.cache_data(show_spinner="Computing metrics…")
def lsoa_metrics(types: tuple[str, ...], need: str = "imd") -> pd.DataFrame:
    """National per-LSOA metrics for a choice of asset types (cached per choice)."""
    return metrics.lsoa_metrics(lsoa_table(), asset_counts(), types=list(types), need=need)


@st.cache_data
def area_catalogue() -> pd.DataFrame:
    """Every addressable area."""
    return areas.catalogue(lsoa_table())


@st.cache_data
def manifest() -> dict[str, object]:
    """The build manifest (vintages, counts, build time)."""
    return store.load_manifest()
