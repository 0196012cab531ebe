"""What is computed per LSOA and per area: provision, gaps, access, clusters, change, priority.

- :mod:`~assetmap.measures.rates`: the per-1,000-residents rate, written once.
- :mod:`~assetmap.measures.metrics`: counts, per-1,000 rates, gap score, decile and gap tables,
  roll-ups to every level.
- :mod:`~assetmap.measures.access`: walking access and two-step floating catchment (2SFCA).
- :mod:`~assetmap.measures.near`: what lies within a distance of a postcode or a point.
- :mod:`~assetmap.measures.whatif`: who gains and who loses walking access if sites open or close.
- :mod:`~assetmap.measures.sites`: best sites for k new assets (greedy maximal covering).
- :mod:`~assetmap.measures.hotspots`: local Moran's I clusters of the gap score.
- :mod:`~assetmap.measures.bivariate`: need x provision classes.
- :mod:`~assetmap.measures.change`: what changed since the IoD 2019.
- :mod:`~assetmap.measures.invest`: the "where to invest first" ranking.
- :mod:`~assetmap.measures.analysis`: every per-LSOA measure together, for the pages.
- :mod:`~assetmap.measures.distributed`: the same counts on Dask for very large inputs.
"""
