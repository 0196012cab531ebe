r"""Colour arithmetic: WCAG 2 contrast for legible labels, CIELAB distances for palettes.

For an sRGB channel :math:`c \in [0, 1]`, the linear value is :math:`c / 12.92` when
:math:`c \le 0.04045`, else :math:`((c + 0.055) / 1.055)^{2.4}`; the relative luminance is
:math:`L = 0.2126 R + 0.7152 G + 0.0722 B` of the linear values, and the contrast of two colours
is :math:`(L_1 + 0.05) / (L_2 + 0.05)` with :math:`L_1 \ge L_2` (black has :math:`L = 0`, white
:math:`L = 1`).

Reference: W3C (2008) Web Content Accessibility Guidelines 2.0, definitions of *relative
luminance* and *contrast ratio* (https://www.w3.org/TR/WCAG20/#relativeluminancedef).

A palette is checked for readers with colour-vision deficiencies by simulating them (Machado,
Oliveira & Fernandes 2009, :data:`CVD_MATRICES`) and measuring the closest pair of colours in
CIELAB (:func:`closest_pair_under_cvd`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
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


#: Colour-vision deficiencies simulated by :func:`closest_pair_under_cvd`: Machado, Oliveira &
#: Fernandes (2009) matrices at severity 1.0, applied to linear RGB. Reference: Machado, G. M.,
#: Oliveira, M. M. and Fernandes, L. A. F. (2009) "A physiologically-based model for simulation of
#: color vision deficiency", IEEE Transactions on Visualization and Computer Graphics 15(6),
#: 1291-1298 (matrices from the authors' table for severity 1.0).
CVD_MATRICES: dict[str, tuple[tuple[float, float, float], ...]] = {
    "normal": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}

# sRGB (D65) linear RGB to CIE XYZ, and the D65 white point (IEC 61966-2-1).
_RGB_TO_XYZ = (
    (0.4124564, 0.3575761, 0.1804375),
    (0.2126729, 0.7151522, 0.0721750),
    (0.0193339, 0.1191920, 0.9503041),
)
_WHITE = (0.95047, 1.0, 1.08883)


def cielab(colour: str, vision: str = "normal") -> tuple[float, float, float]:
    r"""CIE L*a*b* (D65) of a ``#rrggbb`` colour, as seen with ``vision``.

    The sRGB channels are linearised (as in :func:`relative_luminance`), multiplied by the
    :data:`CVD_MATRICES` entry and clipped to [0, 1], converted to XYZ and then to
    :math:`L^* = 116 f(Y/Y_n) - 16`, :math:`a^* = 500 (f(X/X_n) - f(Y/Y_n))`,
    :math:`b^* = 200 (f(Y/Y_n) - f(Z/Z_n))` with :math:`f(t) = t^{1/3}` above
    :math:`(6/29)^3`, else :math:`t / (3 (6/29)^2) + 4/29` (CIE 15:2004).
    """
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    seen = [
        min(1.0, max(0.0, sum(m * c for m, c in zip(row, linear, strict=True))))
        for row in CVD_MATRICES[vision]
    ]
    x, y, z = (
        sum(m * c for m, c in zip(row, seen, strict=True)) / white
        for row, white in zip(_RGB_TO_XYZ, _WHITE, strict=True)
    )

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def closest_pair_under_cvd(colours: Sequence[str]) -> float:
    r"""The smallest CIELAB distance (CIE76 :math:`\Delta E^*_{ab}`, Euclidean) between any two
    of ``colours``, under normal vision and each simulated deficiency of :data:`CVD_MATRICES`.

    A palette whose every pair stays apart by this much stays distinguishable for readers with
    protanopia, deuteranopia or tritanopia.
    """
    return min(
        math.dist(cielab(a, vision), cielab(b, vision))
        for vision in CVD_MATRICES
        for a, b in itertools.combinations(colours, 2)
    )
