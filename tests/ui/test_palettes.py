"""Map palettes under simulated colour-vision deficiencies, and text contrast.

Simulation: Machado, Oliveira & Fernandes (2009) matrices at full severity, applied in linear RGB. Distance:
CIEDE2000 (checked here against Sharma, Wu & Dalal's published test pairs). A categorical palette must keep every
pair of colours at least `MIN_CATEGORICAL` apart for normal vision and each deficiency.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from dashboard.presentation import CAPTION_CSS
from dashboard.presentation import CSS as PRESENTATION_CSS
from geo.schema import THEMES
from ui import maps

MACHADO = {
    "vision normale": np.eye(3),
    "protanopie": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deutéranopie": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopie": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
MIN_CATEGORICAL = 10.0  # CIEDE2000: clearly different at a glance, well above the ~2 of a just-noticeable step
MIN_SEQUENTIAL_STEP = 5.0  # neighbouring classes of an ordered scale (their order and the legend help too)


def linear_rgb(hex_color: str) -> np.ndarray:
    srgb = np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(linear: np.ndarray) -> np.ndarray:
    """CIE L*a*b* (D65) of a linear RGB colour."""
    xyz = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                    [0.0193339, 0.1191920, 0.9503041]]) @ np.clip(linear, 0, 1)
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1, lab2) -> float:
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p, h2p = np.degrees(np.arctan2(b1, a1p)) % 360, np.degrees(np.arctan2(b2, a2p)) % 360
    dh = 0.0 if c1p * c2p == 0 else (h2p - h1p + 180) % 360 - 180
    d_l, d_c = l2 - l1, c2p - c1p
    d_h = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_mean = (h1p + h2p) / 2
    else:
        h_mean = (h1p + h2p + (360 if h1p + h2p < 360 else -360)) / 2
    t = (1 - 0.17 * np.cos(np.radians(h_mean - 30)) + 0.24 * np.cos(np.radians(2 * h_mean))
         + 0.32 * np.cos(np.radians(3 * h_mean + 6)) - 0.20 * np.cos(np.radians(4 * h_mean - 63)))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / np.sqrt(20 + (l_mean - 50) ** 2)
    s_c, s_h = 1 + 0.045 * cp_mean, 1 + 0.015 * cp_mean * t
    r_t = (-np.sin(np.radians(60 * np.exp(-(((h_mean - 275) / 25) ** 2))))
           * 2 * np.sqrt(cp_mean ** 7 / (cp_mean ** 7 + 25 ** 7)))
    return float(np.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2
                         + r_t * (d_c / s_c) * (d_h / s_h)))


def seen_as(hex_color: str, matrix: np.ndarray) -> np.ndarray:
    return lab(matrix @ linear_rgb(hex_color))


@pytest.mark.parametrize(("lab1", "lab2", "expected"), [  # Sharma, Wu & Dalal (2005), pairs 1, 7, 17 and 25
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
])
def test_ciede2000_matches_the_published_pairs(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)


CATEGORICAL = {
    "couverture": [color for color, _ in maps.COVERAGE.values()],
    "thèmes": [t.color for t in THEMES] + [maps.NO_THEME[0]],
}


@pytest.mark.parametrize("vision", list(MACHADO))
@pytest.mark.parametrize("palette", list(CATEGORICAL))
def test_categorical_palettes_stay_distinct(palette, vision):
    colors = CATEGORICAL[palette]
    closest = min((ciede2000(seen_as(a, MACHADO[vision]), seen_as(b, MACHADO[vision])), a, b)
                  for a, b in itertools.combinations(colors, 2))
    assert closest[0] >= MIN_CATEGORICAL, closest


@pytest.mark.parametrize("vision", list(MACHADO))
def test_partnership_classes_step_visibly(vision):
    colors = [color for _, color, _ in maps.PARTNERSHIP_CLASSES]
    steps = [ciede2000(seen_as(a, MACHADO[vision]), seen_as(b, MACHADO[vision])) for a, b in itertools.pairwise(colors)]
    assert min(steps) >= MIN_SEQUENTIAL_STEP, steps


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio."""
    lum = [float(np.array([0.2126, 0.7152, 0.0722]) @ linear_rgb(c)) for c in (foreground, background)]
    return (max(lum) + 0.05) / (min(lum) + 0.05)


MAP_SOURCE = Path(maps.__file__).read_text(encoding="utf-8")


@pytest.mark.parametrize(("foreground", "background", "source"), [
    ("#111827", "#ffffff", MAP_SOURCE),  # legend text on its (92 % opaque) white box
    ("#111827", "#e8eef3", maps.MAP_CSS),  # place names on the sea (they also have a white halo)
    ("#713f12", "#fef3c7", PRESENTATION_CSS),  # presentation mode's demo notice
    ("#5f5e5c", "#ffffff", CAPTION_CSS),  # captions
])
def test_text_contrast_is_at_least_4_5(foreground, background, source):
    assert foreground in source
    assert contrast(foreground, background) >= 4.5
