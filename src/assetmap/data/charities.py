r"""Registered charities per 1,000 residents per local authority: an area-level indicator.

No open register places England's charities at addresses, but the NCVO UK Civil Society
Almanac 2020 counts registered charities per local authority, and the British Red Cross
published those counts for its Resilience Index (``charity_density_lad19.csv``; Open Government
Licence v3.0; credit "NCVO Almanac 2020 via British Red Cross"). They are shown by local
authority only, never as points.

**2019 to 2024 local authorities.** The counts are on 2019 codes; a 2024 authority gets the sum
of the 2019 authorities it was formed from.

* The April 2023 mergers (Cumberland, Westmorland and Furness, North Yorkshire, Somerset) come
  from the data: the ONS LSOA 2011 to 2021 lookup gives each LSOA 2021 its 2022 authority
  (``ltla22_code``) and the 2024 lookup its 2024 one, so each 2022 authority maps to the 2024
  authority holding its LSOAs: all of them, or at least :data:`MIN_LSOA_SHARE` (one of West
  Northamptonshire's 238 LSOAs is in Cherwell in 2024), else :class:`CharityMappingError`.
* Buckinghamshire (April 2020) and North and West Northamptonshire (April 2021) predate that
  lookup, and no data file holds their 11 predecessor districts' codes with names, so those are
  listed in :data:`ABOLISHED_BEFORE_2022`.

A 2019 English code that maps nowhere raises :class:`CharityMappingError` (it is never dropped),
and so does a 2024 authority that receives no count or a total for England that differs from the
file's. Welsh rows are left out: the project covers England.

**The rate.** For a 2024 authority :math:`L` formed from the 2019 authorities :math:`d \in L`
with :math:`c_d` charities,

.. math::

    \text{charities\_per\_1k}_L = 1000 \cdot \frac{\sum_{d \in L} c_d}{P_L}

where :math:`P_L` is the Census 2021 usual residents of :math:`L` (the sum of its LSOAs'
``population``). That is our denominator, the same as every other per-1,000 rate here, not the
publisher's (its density used a population estimate of its own year). The publisher's density
is kept as ``charities_per_1k_published``; for a merged authority it is recombined through the
population it implies, :math:`1000 \sum_d c_d \big/ \sum_d (1000\, c_d / \rho_d)` with
:math:`\rho_d` the published density.

**Other areas.** Each LSOA carries its authority's rate (``lad_charities_per_1k``), so any group
of LSOAs :math:`A` (see :func:`assetmap.measures.metrics.rollup`) gets

.. math::

    \text{charities}_A = \sum_{i \in A} \frac{p_i\, r_{L(i)}}{1000}, \qquad
    \text{charities\_per\_1k}_A = 1000 \cdot \frac{\text{charities}_A}{\sum_{i \in A} p_i}

with :math:`p_i` the residents of LSOA :math:`i` and :math:`r_{L(i)}` its authority's rate: each
authority's charities shared among its LSOAs by residents. For an area made of whole
authorities (England, a region, many ICBs) this is exactly its charities per 1,000; for an area
that cuts across authorities (some ICBs and sub-ICB locations, any ward) it is a population
share, the rate of the authorities its residents live in, not a count of charities inside it
(:func:`la_coverage` says which).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from assetmap.data import sources
from assetmap.geography import areas
from assetmap.measures.rates import per_1k

#: Key of the source in :data:`assetmap.data.sources.SOURCES`.
SOURCE_KEY: Final = "charity_density"

#: The credit line that goes with every figure drawn from the file.
CREDIT: Final = "NCVO Almanac 2020 via British Red Cross"

#: Columns of the published file.
CODE_COLUMN: Final = "LAD19CD"
COUNT_COLUMN: Final = "Number of charities"
DENSITY_COLUMN: Final = "Charity density (per 1,000 people)"

#: The LSOA column holding the LSOA's local authority's rate.
LSOA_COLUMN: Final = "lad_charities_per_1k"

#: The 2019 -> 2024 lookup with each 2019 authority's count, written by the build.
LOOKUP_FILE: Final = "charities_lad19.csv"

#: Least share of a 2022 authority's LSOAs that must lie in one 2024 authority for it to map there.
MIN_LSOA_SHARE: Final = 0.99

#: An authority is flagged as an outlier above Q3 + this x IQR of the rates (Tukey's "far out").
OUTLIER_IQR_MULTIPLE: Final = 3.0

#: Values of ``lad19_mapped_by``.
SAME_CODE: Final = "same code"
MERGED_2023: Final = "merged in 2023 (through the ONS LSOA lookups of 2022 and 2024)"
MERGED_2020_21: Final = "merged in 2020-21 (structural changes orders)"


class CharityMappingError(ValueError):
    """The charity counts do not map onto the 2024 local authorities; the message says which."""


@dataclass(frozen=True)
class Predecessor:
    """A 2019 district abolished before the 2022 ONS lookup, and the authority that replaced it.

    Attributes
    ----------
    code
        The district's 2019 ONS code.
    name
        Its name.
    successor
        The ONS code of the unitary authority it became part of.
    """

    code: str
    name: str
    successor: str


#: The 2019 districts merged before 2022, from the ONS Code History Database and the orders that
#: made the mergers: The Buckinghamshire (Structural Changes) Order 2019 (SI 2019/957; in force
#: 1 April 2020) and The Northamptonshire (Structural Changes) Order 2020 (SI 2020/156; 1 April
#: 2021). ``tests/test_charities.py`` checks it against the district-name prefixes of the 2011
#: LSOA names in each successor.
ABOLISHED_BEFORE_2022: Final[tuple[Predecessor, ...]] = (
    Predecessor("E07000004", "Aylesbury Vale", "E06000060"),
    Predecessor("E07000005", "Chiltern", "E06000060"),
    Predecessor("E07000006", "South Bucks", "E06000060"),
    Predecessor("E07000007", "Wycombe", "E06000060"),
    Predecessor("E07000150", "Corby", "E06000061"),
    Predecessor("E07000152", "East Northamptonshire", "E06000061"),
    Predecessor("E07000153", "Kettering", "E06000061"),
    Predecessor("E07000156", "Wellingborough", "E06000061"),
    Predecessor("E07000151", "Daventry", "E06000062"),
    Predecessor("E07000154", "Northampton", "E06000062"),
    Predecessor("E07000155", "South Northamptonshire", "E06000062"),
)

#: Columns of :func:`lad19_table` (and of the build's ``charities_lad19.csv``), in order.
LAD19_COLUMNS: Final = (
    "lad19cd",
    "lad19nm",
    "charities",
    "charities_per_1k_published",
    "lad24cd",
    "lad24nm",
    "lad19_mapped_by",
)

#: Columns of :func:`by_lad`, in order.
LAD24_COLUMNS: Final = (
    "lad24cd",
    "lad24nm",
    "charities",
    "population",
    "charities_per_1k",
    "charities_per_1k_published",
    "charities_lad19",
    "charities_lad19_count",
)


def read_counts(source_dir: Path | None = None) -> pd.DataFrame:
    """The published counts and densities of England's 2019 local authorities.

    Parameters
    ----------
    source_dir
        The source folder; defaults to ``settings.SOURCE_DIR``.

    Returns
    -------
    pandas.DataFrame
        ``lad19cd``, ``charities`` (int) and ``charities_per_1k_published``, one row per English
        2019 code (``E...``), in the file's order.

    Raises
    ------
    CharityMappingError
        A column is missing, a code repeats, or a count or density is missing or negative.
    """
    raw = sources.read_table(SOURCE_KEY, source_dir)
    missing = {CODE_COLUMN, COUNT_COLUMN, DENSITY_COLUMN} - set(raw.columns)
    if missing:
        raise CharityMappingError(f"charity_density_lad19.csv has no column {sorted(missing)}")
    frame = pd.DataFrame(
        {
            "lad19cd": raw[CODE_COLUMN].astype(str).str.strip(),
            "charities": pd.to_numeric(raw[COUNT_COLUMN], errors="coerce"),
            "charities_per_1k_published": pd.to_numeric(raw[DENSITY_COLUMN], errors="coerce"),
        }
    )
    frame = frame[frame["lad19cd"].str.startswith("E")].reset_index(drop=True)
    bad = frame[
        frame[["charities", "charities_per_1k_published"]].isna().any(axis=1)
        | (frame["charities"] < 0)
        | (frame["charities_per_1k_published"] <= 0)
    ]
    if len(bad):
        raise CharityMappingError(
            f"charity_density_lad19.csv: no valid count or density for {bad['lad19cd'].tolist()}"
        )
    if frame["lad19cd"].duplicated().any():
        twice = frame.loc[frame["lad19cd"].duplicated(), "lad19cd"].tolist()
        raise CharityMappingError(f"charity_density_lad19.csv: codes listed twice: {twice}")
    return frame.astype({"charities": "int64"})


def ltla22_to_lad24(lsoas: pd.DataFrame, source_dir: Path | None = None) -> pd.DataFrame:
    """The 2024 local authority of each English 2022 local authority, from their LSOAs.

    Parameters
    ----------
    lsoas
        The LSOA table (``lsoa21cd``, ``lad24cd``).
    source_dir
        The source folder; defaults to ``settings.SOURCE_DIR``.

    Returns
    -------
    pandas.DataFrame
        ``ltla22cd``, ``ltla22nm``, ``lad24cd``, ``lsoa_share`` (share of the 2022 authority's
        LSOAs 2021 in that 2024 authority).

    Raises
    ------
    CharityMappingError
        A 2022 authority has less than :data:`MIN_LSOA_SHARE` of its LSOAs in any one 2024
        authority.
    """
    lookup = sources.read_table(
        "lookup_lsoa11", source_dir, usecols=["lsoa21_code", "ltla22_code", "ltla22_name"]
    )
    pairs = (
        lookup.drop_duplicates("lsoa21_code")
        .rename(columns={"lsoa21_code": "lsoa21cd", "ltla22_code": "ltla22cd"})
        .merge(lsoas[["lsoa21cd", "lad24cd"]], on="lsoa21cd", validate="one_to_one")
    )
    counts = pairs.groupby(["ltla22cd", "lad24cd"]).size().rename("lsoas").reset_index()
    counts["lsoa_share"] = counts["lsoas"] / counts.groupby("ltla22cd")["lsoas"].transform("sum")
    best = counts.sort_values(["ltla22cd", "lsoa_share"], ascending=[True, False])
    best = best.drop_duplicates("ltla22cd", ignore_index=True)
    split = best[best["lsoa_share"] < MIN_LSOA_SHARE]
    if len(split):
        detail = ", ".join(f"{r.ltla22cd} ({r.lsoa_share:.1%})" for r in split.itertuples())
        raise CharityMappingError(
            f"2022 local authorities not within one 2024 authority (at least "
            f"{MIN_LSOA_SHARE:.0%} of their LSOAs): {detail}"
        )
    names = pairs.drop_duplicates("ltla22cd").set_index("ltla22cd")["ltla22_name"]
    best["ltla22nm"] = best["ltla22cd"].map(names).astype(str)
    return best[["ltla22cd", "ltla22nm", "lad24cd", "lsoa_share"]]


def lad19_table(lsoas: pd.DataFrame, source_dir: Path | None = None) -> pd.DataFrame:
    """Each English 2019 local authority of the file with its count and its 2024 authority.

    Parameters
    ----------
    lsoas
        The LSOA table (``lsoa21cd``, ``lad24cd``, ``lad24nm``).
    source_dir
        The source folder; defaults to ``settings.SOURCE_DIR``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LAD19_COLUMNS`, sorted by ``lad19cd``; ``lad19_mapped_by`` is
        :data:`SAME_CODE`, :data:`MERGED_2023` or :data:`MERGED_2020_21`.

    Raises
    ------
    CharityMappingError
        A 2019 code maps to no 2024 authority, or :data:`ABOLISHED_BEFORE_2022` disagrees with
        the ONS lookup (a listed code is in it, or a successor is not).
    """
    counts = read_counts(source_dir)
    to24 = ltla22_to_lad24(lsoas, source_dir).set_index("ltla22cd")
    early = pd.DataFrame([p.__dict__ for p in ABOLISHED_BEFORE_2022])
    clash = early.loc[early["code"].isin(to24.index), "code"].tolist()
    lost = sorted(set(early.loc[~early["successor"].isin(to24.index), "successor"]))
    if clash or lost:
        raise CharityMappingError(
            "ABOLISHED_BEFORE_2022 disagrees with the ONS LSOA 2011 -> 2021 lookup: "
            f"codes listed there too {clash}; successors missing from it {lost}"
        )
    early_by_code = early.set_index("code")
    in_2022 = counts["lad19cd"].isin(to24.index)
    in_early = counts["lad19cd"].isin(early_by_code.index)
    unmapped = counts.loc[~in_2022 & ~in_early, "lad19cd"].tolist()
    if unmapped:
        raise CharityMappingError(
            f"charity_density_lad19.csv: 2019 codes with no 2024 local authority: {unmapped}"
        )
    ltla22 = counts["lad19cd"].where(in_2022, counts["lad19cd"].map(early_by_code["successor"]))
    out = counts.assign(
        lad19nm=counts["lad19cd"]
        .map(to24["ltla22nm"])
        .fillna(counts["lad19cd"].map(early_by_code["name"])),
        lad24cd=ltla22.map(to24["lad24cd"]),
    )
    names = lsoas.drop_duplicates("lad24cd").set_index("lad24cd")["lad24nm"]
    out["lad24nm"] = out["lad24cd"].map(names)
    out["lad19_mapped_by"] = np.select(
        [in_early, out["lad19cd"] == out["lad24cd"]],
        [MERGED_2020_21, SAME_CODE],
        default=MERGED_2023,
    )
    return out[list(LAD19_COLUMNS)].sort_values("lad19cd", ignore_index=True)


def by_lad(lad19: pd.DataFrame, lsoas: pd.DataFrame) -> pd.DataFrame:
    """Charities and charities per 1,000 residents for every 2024 local authority.

    Parameters
    ----------
    lad19
        Output of :func:`lad19_table`.
    lsoas
        The LSOA table (``lad24cd``, ``lad24nm``, ``population``): every authority in it gets a
        row.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LAD24_COLUMNS`, one row per 2024 authority sorted by ``lad24cd``:
        ``charities`` summed over its 2019 authorities (``charities_lad19``, their codes joined
        by ``;``, and ``charities_lad19_count``), ``population`` (Census 2021),
        ``charities_per_1k`` = 1000 x charities / population, and the publisher's density
        (recombined for merged authorities, see the module docstring).

    Raises
    ------
    CharityMappingError
        An authority receives no count, or the total differs from the 2019 authorities' total.
    """
    work = lad19.assign(
        implied_population=1000 * lad19["charities"] / lad19["charities_per_1k_published"]
    )
    grouped = work.groupby("lad24cd").agg(
        charities=("charities", "sum"),
        implied_population=("implied_population", "sum"),
        charities_lad19=("lad19cd", lambda c: ";".join(sorted(c))),
        charities_lad19_count=("lad19cd", "size"),
    )
    people = lsoas.groupby("lad24cd").agg(
        lad24nm=("lad24nm", "first"), population=("population", "sum")
    )
    out = people.join(grouped, how="left")
    empty = out.index[out["charities"].isna()].tolist()
    if empty:
        raise CharityMappingError(f"2024 local authorities with no charity count: {empty}")
    extra = sorted(set(grouped.index) - set(people.index))
    if extra or int(out["charities"].sum()) != int(lad19["charities"].sum()):
        raise CharityMappingError(
            f"charity counts not preserved: {int(out['charities'].sum()):,} in 2024 authorities "
            f"against {int(lad19['charities'].sum()):,} in 2019 ones (unknown 2024 codes {extra})"
        )
    out = out.astype({"charities": "int64", "charities_lad19_count": "int64"})
    out["charities_per_1k"] = per_1k(out["charities"], out["population"])
    out["charities_per_1k_published"] = per_1k(out["charities"], out.pop("implied_population"))
    return out.reset_index()[list(LAD24_COLUMNS)]


def lsoa_rates(lsoas: pd.DataFrame, per_la: pd.DataFrame) -> pd.Series:
    """Each LSOA's local authority's charities per 1,000 residents (the ``lad_charities_per_1k``).

    Parameters
    ----------
    lsoas
        The LSOA table (``lad24cd``).
    per_la
        Output of :func:`by_lad`.

    Returns
    -------
    pandas.Series
        Aligned with ``lsoas``, named :data:`LSOA_COLUMN`.

    Raises
    ------
    CharityMappingError
        An LSOA's authority has no rate.
    """
    rate = lsoas["lad24cd"].map(per_la.set_index("lad24cd")["charities_per_1k"])
    if rate.isna().any():
        missing = sorted(set(lsoas.loc[rate.isna(), "lad24cd"]))
        raise CharityMappingError(f"no charities per 1,000 for local authorities {missing}")
    return rate.rename(LSOA_COLUMN)


def merged(lad19: pd.DataFrame) -> pd.DataFrame:
    """The 2024 local authorities formed by adding up several 2019 ones.

    Parameters
    ----------
    lad19
        Output of :func:`lad19_table` (or the build's ``charities_lad19.csv``).

    Returns
    -------
    pandas.DataFrame
        ``lad24cd``, ``lad24nm``, ``lad19nm`` and ``lad19cd`` (the 2019 names and codes, joined
        by ``;`` in code order), ``lad19_mapped_by`` and ``charities`` (the sum), one row per
        merged authority, sorted by ``lad24cd``.
    """
    many = lad19[lad19.groupby("lad24cd")["lad19cd"].transform("size") > 1]
    many = many.sort_values(["lad24cd", "lad19cd"])
    return (
        many.groupby(["lad24cd", "lad24nm"], sort=True)
        .agg(
            lad19nm=("lad19nm", "; ".join),
            lad19cd=("lad19cd", "; ".join),
            lad19_mapped_by=("lad19_mapped_by", "first"),
            charities=("charities", "sum"),
        )
        .reset_index()
    )


@dataclass(frozen=True)
class Outliers:
    """Local authorities far above the others on charities per 1,000 residents.

    Attributes
    ----------
    q1, q3
        Lower and upper quartiles of ``charities_per_1k`` over the authorities.
    fence
        ``q3 + OUTLIER_IQR_MULTIPLE x (q3 - q1)``.
    table
        The authorities above the fence (``lad24cd``, ``lad24nm``, ``charities``,
        ``population``, ``charities_per_1k``), highest first.
    """

    q1: float
    q3: float
    fence: float
    table: pd.DataFrame


def outliers(per_la: pd.DataFrame) -> Outliers:
    r"""Flag the authorities above Tukey's far-out fence.

    .. math::

        r_L > Q_3 + k\,(Q_3 - Q_1), \qquad k = 3

    with the quartiles of ``charities_per_1k`` over the authorities (linear interpolation).
    Flagged authorities are shown, never dropped: the City of London's rate comes from charities
    registered at head offices among a resident population of under 10,000.

    Parameters
    ----------
    per_la
        One row per authority with ``lad24cd``, ``lad24nm``, ``charities``, ``population`` and
        ``charities_per_1k`` (:func:`by_lad`, or the built ``lad`` layer).

    Returns
    -------
    Outliers
    """
    rate = per_la["charities_per_1k"]
    q1, q3 = float(rate.quantile(0.25)), float(rate.quantile(0.75))
    fence = q3 + OUTLIER_IQR_MULTIPLE * (q3 - q1)
    cols = ["lad24cd", "lad24nm", "charities", "population", "charities_per_1k"]
    table = per_la.loc[rate > fence, cols].sort_values("charities_per_1k", ascending=False)
    return Outliers(q1, q3, fence, pd.DataFrame(table).reset_index(drop=True))


@dataclass(frozen=True)
class DeprivationRelation:
    """How charities per 1,000 residents go with local authority deprivation.

    Attributes
    ----------
    rho
        Spearman's rank correlation of ``charities_per_1k`` with the IMD 2025 rank of average
        score (1 = most deprived). Positive: less deprived authorities have more charities per
        head.
    p_value
        Its two-sided p-value (``scipy.stats.spearmanr``).
    n
        Authorities correlated.
    median_most_deprived_fifth, median_least_deprived_fifth
        Median ``charities_per_1k`` of the authorities in the most and least deprived fifths.
    most_deprived_fifth_n, least_deprived_fifth_n
        How many authorities each fifth holds.
    """

    rho: float
    p_value: float
    n: int
    median_most_deprived_fifth: float
    median_least_deprived_fifth: float
    most_deprived_fifth_n: int
    least_deprived_fifth_n: int

    @property
    def ratio(self) -> float:
        """Least deprived fifth's median over the most deprived fifth's."""
        return self.median_least_deprived_fifth / self.median_most_deprived_fifth


def imd_rank(lad: pd.DataFrame) -> pd.Series:
    """IMD 2025 rank of average score of each authority: 1 is the highest (most deprived) score.

    Parameters
    ----------
    lad
        One row per authority with ``imd_score_popweighted`` (the population-weighted mean of
        its LSOAs' IMD 2025 scores, as in MHCLG's "average score" summary).

    Returns
    -------
    pandas.Series
        Ranks (ties share the lowest), aligned with ``lad``.
    """
    return lad["imd_score_popweighted"].rank(ascending=False, method="min").astype("int64")


def deprivation_relation(lad: pd.DataFrame) -> DeprivationRelation:
    r"""Spearman's rho of charities per 1,000 with the IMD rank, and the extreme fifths' medians.

    With :math:`R_L` the IMD 2025 rank of average score (:func:`imd_rank`; 1 = most deprived) of
    the :math:`n` authorities, fifths are :math:`\lceil 5 R_L / n \rceil`: fifth 1 the most
    deprived, fifth 5 the least.

    Parameters
    ----------
    lad
        One row per authority with ``charities_per_1k`` and ``imd_score_popweighted`` (the
        built ``lad`` layer).

    Returns
    -------
    DeprivationRelation

    Raises
    ------
    ValueError
        A value is missing.
    """
    frame = pd.DataFrame(lad[["charities_per_1k", "imd_score_popweighted"]])
    if frame.isna().any().any():
        raise ValueError("charities_per_1k or imd_score_popweighted is missing for some areas")
    # scipy.stats takes a while to import; only the Methods page and tests call this.
    from scipy import stats

    rank = imd_rank(frame)
    n = len(frame)
    result = stats.spearmanr(frame["charities_per_1k"], rank)
    fifth = np.ceil(5 * rank / n).astype("int64")
    most = frame.loc[fifth == 1, "charities_per_1k"]
    least = frame.loc[fifth == 5, "charities_per_1k"]
    return DeprivationRelation(
        rho=float(result.statistic),
        p_value=float(result.pvalue),
        n=n,
        median_most_deprived_fifth=float(most.median()),
        median_least_deprived_fifth=float(least.median()),
        most_deprived_fifth_n=len(most),
        least_deprived_fifth_n=len(least),
    )


@dataclass(frozen=True)
class LaCoverage:
    """How an area is made of local authorities, for reading its charities per 1,000.

    Attributes
    ----------
    area
        The area.
    las
        Local authorities with residents in the area.
    whole_las
        Those with every LSOA inside it.
    whole_population_share
        Share of the area's residents living in those whole authorities.
    """

    area: areas.Area
    las: int
    whole_las: int
    whole_population_share: float

    @property
    def whole(self) -> bool:
        """The area is made of whole local authorities, so its rate is exact."""
        return self.las == self.whole_las


def la_coverage(lsoas: pd.DataFrame, area: areas.Area) -> LaCoverage:
    """Which local authorities an area takes in, whole or in part.

    Parameters
    ----------
    lsoas
        The LSOA table, or any frame with every LSOA's codes and ``population``.
    area
        The area.

    Returns
    -------
    LaCoverage
    """
    inside = areas.select(lsoas, area)
    here = inside.groupby("lad24cd")["lsoa21cd"].size()
    total = lsoas.groupby("lad24cd")["lsoa21cd"].size().reindex(here.index)
    whole = here.index[here == total]
    people = inside.groupby("lad24cd")["population"].sum()
    share = float(people.reindex(whole).sum() / people.sum()) if len(people) else math.nan
    return LaCoverage(area, len(here), len(whole), share)


def profile_note(coverages: Sequence[LaCoverage]) -> str:
    """How to read the charities per 1,000 of a set of areas (an area and its parents), in words.

    Parameters
    ----------
    coverages
        :func:`la_coverage` of each area shown.

    Returns
    -------
    str
        The source and denominator, then a sentence for each area not made of whole local
        authorities (or one saying every area is).
    """
    words = [
        f"Charities per 1,000 residents: registered charities counted per local authority "
        f"({CREDIT}; 2019 authorities summed into the 2024 ones they formed) over Census 2021 "
        "residents."
    ]
    partial = [c for c in coverages if not c.whole]
    words += [
        f"{c.area.label} is not made of whole local authorities (it takes in part of "
        f"{c.las - c.whole_las:,} of the {c.las:,} it touches; {c.whole_population_share:.0%} "
        "of its residents live in authorities wholly inside it), so its figure shares each "
        "authority's charities among its neighbourhoods by residents: a population share, the "
        "rate of the authorities its residents live in, not a count of charities inside it."
        for c in partial
    ]
    if not partial:
        words.append(
            "Every area here is made of whole local authorities, so the figures are exact."
        )
    return " ".join(words)
