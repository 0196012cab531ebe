"""Evidence packs: one area's case as an A4 PDF and a zip of its data.

::

    from assetmap.presentation import report

    inputs = report.load_inputs(("sports_club", "foodbank"), "imd")  # or the dashboard's caches
    pack = report.build_pack(area, inputs, progress=bar)  # every number, once
    report.write_pdf(pack, Path("qyg.pdf"))  # or report.pdf_bytes(pack)
    report.write_data_zip(pack, Path("qyg.zip"))  # or report.data_zip_bytes

The modules, one concern each:

* :mod:`~assetmap.presentation.report.inputs`: what a pack is made from (:class:`PackInputs`)
* :mod:`~assetmap.presentation.report.pack`: the contents, from the pages' own functions
* :mod:`~assetmap.presentation.report.figures`: the map image and the decile charts (matplotlib)
* :mod:`~assetmap.presentation.report.document`: the HTML, every value escaped
* :mod:`~assetmap.presentation.report.pdf`: the PDF (WeasyPrint, tagged)
* :mod:`~assetmap.presentation.report.datazip`: the CSV tables, dictionary and GeoPackage
* :mod:`~assetmap.presentation.report.files`: pack, PDF and zip in one call, for a button

A progress callback (:data:`Progress`) is told the share done, 0 to 1 over loading the inputs
(to 0.5), building the pack (to 0.9) and writing the files, and the step in words.
"""

from __future__ import annotations

from assetmap.presentation.report.datazip import data_zip_bytes, write_data_zip
from assetmap.presentation.report.files import PDF_MIME, ZIP_MIME, PackFiles, make_files
from assetmap.presentation.report.inputs import PackInputs, Progress, load_inputs, no_progress
from assetmap.presentation.report.pack import Pack, build_pack, view_link
from assetmap.presentation.report.pdf import pdf_bytes, write_pdf

__all__ = [
    "PDF_MIME",
    "ZIP_MIME",
    "Pack",
    "PackFiles",
    "PackInputs",
    "Progress",
    "build_pack",
    "data_zip_bytes",
    "load_inputs",
    "make_files",
    "no_progress",
    "pdf_bytes",
    "view_link",
    "write_data_zip",
    "write_pdf",
]
