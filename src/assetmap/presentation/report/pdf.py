"""The evidence pack as a PDF: :func:`~assetmap.presentation.report.document.to_html` rendered by
WeasyPrint (with Debian's pango), tagged for screen readers (PDF/UA-1 where WeasyPrint allows).

WeasyPrint is imported only when a PDF is made: it is not needed by the rest of the library.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from assetmap.presentation.report.document import to_html
from assetmap.presentation.report.pack import Pack

#: The PDF variant asked of WeasyPrint: PDF/UA-1 (tagged, with the language and title set).
PDF_VARIANT: Final = "pdf/ua-1"


def pdf_bytes(pack: Pack) -> bytes:
    """The pack as PDF bytes (A4, tagged, ``lang="en-GB"``, titled), for a download button.

    Parameters
    ----------
    pack
        :func:`assetmap.presentation.report.build_pack`.

    Returns
    -------
    bytes
    """
    from weasyprint import HTML

    document = HTML(string=to_html(pack), base_url=None)
    out: bytes = document.write_pdf(pdf_tags=True, pdf_variant=PDF_VARIANT)
    return out


def write_pdf(pack: Pack, path: Path) -> Path:
    """Write :func:`pdf_bytes` to ``path`` (replaced if it exists).

    Parameters
    ----------
    pack
        :func:`assetmap.presentation.report.build_pack`.
    path
        The PDF file.

    Returns
    -------
    Path
        ``path``.
    """
    path.write_bytes(pdf_bytes(pack))
    return path
