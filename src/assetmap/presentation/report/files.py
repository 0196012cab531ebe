"""One call for a download button: an area's pack made and rendered, with progress throughout.

::

    bar = st.progress(0.0, text="Making the evidence pack…")
    made = report.make_files(sel.area, inputs, base_url=url, progress=bar.progress)
    st.download_button("Download evidence pack (PDF)", made.pdf, file_name=..., mime=PDF_MIME)
    st.download_button("Download its data (zip)", made.data, file_name=..., mime=ZIP_MIME)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from assetmap.geography import areas
from assetmap.presentation.report.datazip import data_zip_bytes
from assetmap.presentation.report.inputs import PackInputs, Progress, no_progress
from assetmap.presentation.report.pack import Pack, build_pack
from assetmap.presentation.report.pdf import pdf_bytes

PDF_MIME: Final = "application/pdf"
ZIP_MIME: Final = "application/zip"


@dataclass(frozen=True)
class PackFiles:
    """An evidence pack's files.

    Attributes
    ----------
    pack
        What they were made from.
    pdf
        The PDF (:func:`~assetmap.presentation.report.pdf.pdf_bytes`).
    data
        The data zip (:func:`~assetmap.presentation.report.datazip.data_zip_bytes`), or
        ``None`` when not asked for.
    """

    pack: Pack
    pdf: bytes
    data: bytes | None


def make_files(
    area: areas.Area,
    inputs: PackInputs,
    *,
    base_url: str | None = None,
    data: bool = True,
    progress: Progress = no_progress,
) -> PackFiles:
    """Build an area's pack and render its PDF and (with ``data``) its zip.

    Parameters
    ----------
    area
        The area.
    inputs
        England's neighbourhood table and the rest
        (:class:`~assetmap.presentation.report.inputs.PackInputs`).
    base_url
        The dashboard's address, for the link that reopens the view;
        ``settings.DASHBOARD_URL`` when ``None``.
    data
        Make the data zip too.
    progress
        Told the share done (from 0.5, where the inputs end, to 1) and the step.

    Returns
    -------
    PackFiles
    """
    pack = build_pack(area, inputs, base_url=base_url, progress=progress)
    progress(0.92, "Writing the PDF")
    pdf = pdf_bytes(pack)
    zipped = None
    if data:
        progress(0.97, "Writing the data zip")
        zipped = data_zip_bytes(pack)
    progress(1.0, "Done")
    return PackFiles(pack=pack, pdf=pdf, data=zipped)
