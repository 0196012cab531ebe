"""Where things are: areas and their codes, postcodes, and points placed in LSOAs.

- :mod:`~assetmap.geography.areas`: the levels (region, ICB, sub-ICB, local authority, ward) and
  selecting the LSOAs of an area.
- :mod:`~assetmap.geography.geocode`: postcodes to coordinates, offline (ONS Postcode Directory).
- :mod:`~assetmap.geography.gridindex`: an exact grid index of LSOA polygons (queries, storage
  and the proof of exactness), built by :mod:`~assetmap.geography.gridbuild` on the cells of
  :mod:`~assetmap.geography.gridcells`.
- :mod:`~assetmap.geography.spatial`: points to LSOAs (EPSG:27700) with that index.
"""
