"""One name per idea: every column the library produces is defined in the data dictionary."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from assetmap import settings
from assetmap.data import assets, dictionary
from assetmap.geography import areas
from assetmap.measures import metrics
from tests.conftest import ALL_TYPES


def _undefined(columns: list[str]) -> list[str]:
    return [c for c in columns if c not in dictionary.COLUMNS and c != "geometry"]


def test_every_output_column_is_defined(
    lsoas: pd.DataFrame, all_metrics: pd.DataFrame, report: pd.DataFrame
) -> None:
    cat = areas.catalogue(lsoas)
    outputs = {
        "lsoa table": list(lsoas.columns),
        "metrics": list(all_metrics.columns),
        "decile table": list(metrics.decile_table(all_metrics, ALL_TYPES).columns),
        "gap table": list(
            metrics.gap_table(
                all_metrics, areas.resolve("QYG", cat), types=ALL_TYPES, need="imd"
            ).columns
        ),
        "rollup": list(metrics.rollup(all_metrics, "icb", types=ALL_TYPES).columns),
        "assets": assets.ASSET_COLUMNS,
        "report": list(report.columns),
    }
    for what, cols in outputs.items():
        assert _undefined(cols) == [], what


def test_docs_are_generated_from_the_dictionary() -> None:
    doc = Path(settings.PROJECT_ROOT / "docs" / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    assert doc == dictionary.to_markdown(), "run: assetmap dictionary --out docs/DATA_DICTIONARY.md"


def test_labels_are_spelled_out() -> None:
    assert dictionary.label("assets_per_1k") == "Assets per 1,000 residents"
    assert dictionary.label("icb24cdh") == "ICB code (NHS, 2024)"


def test_domain_names_are_defined_once_for_every_need_measure() -> None:
    """The need picker, the map measures and the dictionary's columns all read
    ``dictionary.DOMAINS``, which has the publisher's domains in the publisher's order."""
    from assetmap.data.sources import IMD_DOMAINS
    from assetmap.measures import metrics
    from assetmap.presentation import maps
    from ui.areafilter import NEED_LABELS

    assert list(dictionary.DOMAINS) == list(IMD_DOMAINS) == list(metrics.NEED_MEASURES)
    assert {k: d.name for k, d in dictionary.DOMAINS.items()} == NEED_LABELS
    for key, domain in dictionary.DOMAINS.items():
        assert maps.MEASURES[f"{key}_decile"].label.startswith(f"{domain.deprivation}: ")
    assert dictionary.label("income_decile").startswith(dictionary.DOMAINS["income"].column)
