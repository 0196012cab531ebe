"""Bytes -> text: a binary file's kind from its first bytes, and text decoded from UTF-8 (with or
without a byte-order mark), UTF-16 (with or without one) or Windows-1252."""

from __future__ import annotations

import codecs
import io
import zipfile
from typing import Final

from assetmap.ingest.model import UploadError
from assetmap.ingest.words import _count

# Sniffing window: the characters looked at to tell text from binary and to find the delimiter.
_SNIFF_CHARS: Final = 65_536


def _sniff_binary(data: bytes) -> str | None:
    """The kind of a binary file from its first bytes, or ``None`` for (maybe) text."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                mimetype = archive.read("mimetype")[:80] if "mimetype" in names else b""
        except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError, RuntimeError):
            return "a damaged zip archive"
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "xlsx"
        if any(n.startswith("word/") for n in names):
            return "a Word document"
        if any(n.startswith("ppt/") for n in names):
            return "a PowerPoint file"
        if b"opendocument.spreadsheet" in mimetype:
            return "an OpenDocument spreadsheet (.ods)"
        return "a zip archive"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "an Excel 97-2003 workbook (.xls) or another old Office file"
    signatures = (
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"PAR1", "a Parquet file"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"SQLite format 3", "an SQLite database"),
        (b"Rar!", "a RAR archive"),
        (b"7z\xbc\xaf", "a 7-Zip archive"),
    )
    for magic, kind in signatures:
        if data.startswith(magic):
            return kind
    return None


_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when the bytes are UTF-16 text without a byte-order mark.

    Text in a register is mostly ASCII, which UTF-16 writes as the character and a NUL: NULs in
    every other byte (the odd positions little-endian, the even ones big-endian), none between.
    """
    sample = data[:8192]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0 : 2 * pairs : 2].count(0), sample[1 : 2 * pairs : 2].count(0)
    if odd >= 0.3 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.3 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


def _decode(data: bytes, name: str) -> tuple[str, str, list[str]]:
    """Bytes to text: BOM if any, else UTF-16 by its NULs, else UTF-8, else Windows-1252.

    Returns text, encoding, notes.
    """
    notes: list[str] = []
    boms = [(codec, label) for bom, codec, label in _BOMS if data.startswith(bom)]
    utf16 = None if boms else _utf16_without_bom(data)
    if boms:
        codec, encoding = boms[0]
        text = data.decode(codec, errors="replace")
    elif utf16 is not None:
        text = data.decode(utf16, errors="replace")
        order = "little" if utf16.endswith("le") else "big"
        encoding = f"UTF-16 {order}-endian"
        notes.append(
            f"{name} is UTF-16 ({order}-endian) text without a byte-order mark; it was read "
            "as such."
        )
    elif len(data) >= 8 and data.count(0) > 0.2 * len(data):
        # NULs between the letters but not in UTF-16's pattern: UTF-32, or an encoding that
        # cannot be told from the bytes. Removing them would only garble the text.
        raise UploadError(
            f"{name} is not UTF-8, UTF-16 or Windows-1252 text: {data.count(0) / len(data):.0%} of "
            "its bytes are NUL (UTF-32?). Save it from Excel with the encoding option "
            "'CSV UTF-8 (Comma delimited)' and upload that."
        )
    else:
        try:
            text, encoding = data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            # Excel on Windows saves "CSV" in the machine's code page: Windows-1252 in the UK.
            text, encoding = data.decode("cp1252", errors="replace"), "Windows-1252"
            notes.append(
                f"{name} is not UTF-8; it was read as Windows-1252 (what Excel on Windows "
                "saves as CSV). If letters look wrong, save it as 'CSV UTF-8' and upload again."
            )
    bad = text.count("\ufffd") - data.count("\xef\xbf\xbd".encode("latin-1"))
    if bad > 0:
        notes.append(f"{bad:,} characters could not be read in {encoding} and show as '\ufffd'.")
    nul = text.count("\x00")
    if nul:
        # NULs never belong in a register; they come from damage or the wrong encoding.
        text = text.replace("\x00", "")
        notes.append(
            f"Removed {_count(nul, 'NUL character')} (a sign of damage or the wrong encoding)."
        )
    stray = text.count("\ufeff")
    if stray:
        # A byte-order mark inside the text (files pasted together) is an invisible character.
        text = text.replace("\ufeff", "")
        notes.append(f"Removed {_count(stray, 'stray byte-order mark')} inside the text.")
    return text, encoding, notes


def _looks_binary(text: str) -> bool:
    sample = text[:_SNIFF_CHARS]
    if not sample:
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r")
    return control > 0.05 * len(sample)
