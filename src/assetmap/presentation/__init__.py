"""How measures are shown: maps, plain-English readings, exports, colours and safe text.

- :mod:`~assetmap.presentation.maps`: the measure catalogue, classification and folium maps
  (canvas layers drawn by ``canvas.js``, shipped as package data).
- :mod:`~assetmap.presentation.mapviews`: the map of an area at a level, with its table.
- :mod:`~assetmap.presentation.offline`: serving the map's front-end files locally.
- :mod:`~assetmap.presentation.reading`: the plain-English reading of a decile table.
- :mod:`~assetmap.presentation.export`: CSV (safe to open in Excel), GeoJSON, GeoPackage.
- :mod:`~assetmap.presentation.colour`: WCAG contrast.
- :mod:`~assetmap.presentation.text`: escaping data text for HTML and Markdown.
"""
