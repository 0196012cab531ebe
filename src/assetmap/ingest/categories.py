"""Asset types from an upload's category column: a slug per row and a label per slug, the default
type for rows without one."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Final

import numpy as np
import pandas as pd

#: Asset type of rows without a type (or when the file has no type column).
DEFAULT_TYPE: Final = "uploaded"


def _slug(label: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.casefold()).strip("_")[:40].strip("_")
    if not slug:
        # Letters with no ASCII form (e.g. Welsh is fine, Chinese is not): a stable short code.
        slug = "type_" + hashlib.sha1(label.encode(), usedforsecurity=False).hexdigest()[:8]
    return slug


def _categories(
    raw: np.ndarray | None, n: int, default_type: str
) -> tuple[np.ndarray, dict[str, str]]:
    """Slug per row and slug -> label, blank -> the default type.

    Values that differ only in case and spacing are one type, labelled with its most common
    spelling. Others are kept apart even where their slugs would be equal (``=1+1`` and ``-1+1``
    are both ``1_1``): the second to appear in the file is ``1_1_2``, the third ``1_1_3``, and
    so on, skipping any slug the file already uses.
    """
    if raw is None:
        return np.full(n, default_type, dtype=object), {}
    # A register has few distinct types: tidy and slug each distinct value once.
    codes, uniques = pd.factorize(pd.Series(raw, dtype=object))
    tidy = [re.sub(r"\s+", " ", str(u)).strip() for u in uniques]
    counts = np.bincount(codes, minlength=len(uniques))
    # Group the spellings of one type; groups in the order the file first uses them.
    group_of: dict[str, int] = {}
    group = np.array([group_of.setdefault(t.casefold(), len(group_of)) for t in tidy])
    keys = list(group_of)
    base = [_slug(k) if k else default_type for k in keys]
    taken = set(base)
    slug_of_group = list(base)
    owner: dict[str, int] = {}
    # Blank rows keep the default type's own slug; then the order the file uses the types in.
    for g in sorted(range(len(keys)), key=lambda g: keys[g] != ""):
        slug = base[g]
        if owner.setdefault(slug, g) != g:
            k = 2
            while f"{slug}_{k}" in taken:
                k += 1
            slug_of_group[g] = f"{slug}_{k}"
            taken.add(slug_of_group[g])
    slug_of = np.array([slug_of_group[g] for g in group], dtype=object)
    slugs = slug_of[codes]
    labels: dict[str, str] = {}
    for k in sorted(range(len(tidy)), key=lambda k: (-counts[k], tidy[k])):
        if tidy[k]:
            labels.setdefault(str(slug_of[k]), tidy[k])
    return slugs, labels


def _label(slug: str) -> str:
    return slug.replace("_", " ").capitalize()
