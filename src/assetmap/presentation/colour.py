r"""Colour arithmetic for legible labels: WCAG 2 relative luminance and contrast.

For an sRGB channel :math:`c \in [0, 1]`, the linear value is :math:`c / 12.92` when
:math:`c \le 0.04045`, else :math:`((c + 0.055) / 1.055)^{2.4}`; the relative luminance is
:math:`L = 0.2126 R + 0.7152 G + 0.0722 B` of the linear values, and the contrast of two colours
is :math:`(L_1 + 0.05) / (L_2 + 0.05)` with :math:`L_1 \ge L_2` (black has :math:`L = 0`, white
:math:`L = 1`).

Reference: W3C (2008) Web Content Accessibility Guidelines 2.0, definitions of *relative
luminance* and *contrast ratio* (https://www.w3.org/TR/WCAG20/#relativeluminancedef).
"""

from __future__ import annotations

from typing import Literal

BLACK: Literal["#000000"] = "#000000"
WHITE: Literal["#ffffff"] = "#ffffff"


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#rrggbb`` colour, 0 (black) to 1 (white)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours, 1 to 21."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_on(background: str) -> Literal["#000000", "#ffffff"]:
    """Black or white text, whichever contrasts more with a ``#rrggbb`` background."""
    luminance = relative_luminance(background)
    return BLACK if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else WHITE
