"""WCAG contrast and CIELAB (``assetmap.presentation.colour``) against published figures."""

from __future__ import annotations

import math

import pytest

from assetmap.measures import bivariate
from assetmap.presentation import colour


def test_black_on_white_is_21_to_1() -> None:
    assert colour.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert colour.contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert colour.contrast_ratio("#336699", "#336699") == pytest.approx(1.0)


def test_grey_767676_is_the_lightest_that_passes_aa_on_white() -> None:
    """#767676 on white is 4.54:1 (AA needs 4.5); #777777 is 4.48:1 (webaim.org's checker)."""
    assert colour.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.005)
    assert colour.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.005)


def test_text_takes_whichever_of_black_and_white_contrasts_more() -> None:
    assert colour.text_on("#ffffff") == colour.BLACK
    assert colour.text_on("#000000") == colour.WHITE
    for background in [*bivariate.PALETTE.values(), "#B2182B", "#EEEEEE", "#2166AC"]:
        chosen = colour.text_on(background)
        other = colour.WHITE if chosen == colour.BLACK else colour.BLACK
        assert colour.contrast_ratio(chosen, background) >= colour.contrast_ratio(other, background)


@pytest.mark.parametrize(
    ("hex_colour", "lab"),
    [
        # CIELAB (D65) of the sRGB primaries and white as published (Lindbloom's calculator,
        # http://www.brucelindbloom.com/ColorCalculator.html).
        ("#ffffff", (100.0, 0.0, 0.0)),
        ("#ff0000", (53.2408, 80.0925, 67.2032)),
        ("#00ff00", (87.7347, -86.1827, 83.1793)),
        ("#0000ff", (32.2970, 79.1875, -107.8602)),
    ],
)
def test_cielab_matches_published_values(hex_colour: str, lab: tuple[float, float, float]) -> None:
    assert colour.cielab(hex_colour) == pytest.approx(lab, abs=2e-3)


def test_deuteranopia_merges_red_and_green_more_than_normal_vision() -> None:
    def dist(vision: str) -> float:
        return math.dist(colour.cielab("#d62728", vision), colour.cielab("#2ca02c", vision))

    assert dist("deuteranopia") < dist("normal") / 2
    assert colour.closest_pair_under_cvd(["#d62728", "#2ca02c"]) == pytest.approx(
        min(dist(v) for v in colour.CVD_MATRICES)
    )
