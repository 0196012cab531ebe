"""WCAG luminance and contrast (``assetmap.presentation.colour``) against the W3C's own figures."""

from __future__ import annotations

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
