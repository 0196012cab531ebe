"""How measures are shown: maps, plain-English readings, exports, colours and safe text.

- :mod:`~assetmap.presentation.catalogue`: the measures a map can show, and how each is drawn.
- :mod:`~assetmap.presentation.classify`: a measure's values banded into coloured classes.
- :mod:`~assetmap.presentation.encoding`: Web Mercator coordinates, SVG path data and script
  payloads for the canvas layers.
- :mod:`~assetmap.presentation.layers`: the canvas layers (drawn by ``canvas.js``, shipped as
  package data), the legend and the layer control.
- :mod:`~assetmap.presentation.maps`: folium maps of LSOAs or areas assembled from those, and
  their PNG export.
- :mod:`~assetmap.presentation.mapviews`: the map of an area at a level, with its table.
- :mod:`~assetmap.presentation.offline`: serving the map's front-end files locally.
- :mod:`~assetmap.presentation.reading`: the plain-English reading of a decile table.
- :mod:`~assetmap.presentation.export`: CSV (safe to open in Excel), GeoJSON, GeoPackage.
- :mod:`~assetmap.presentation.colour`: WCAG contrast.
- :mod:`~assetmap.presentation.text`: escaping data text for HTML and Markdown.
"""
