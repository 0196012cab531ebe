"""The data assetmap is built from and keeps: sources, the build, the store, the dictionary.

- :mod:`~assetmap.data.sources`: every input file, its publisher, licence, vintage and checksum.
- :mod:`~assetmap.data.assets`: the open asset layers (types and families) and reading them.
- :mod:`~assetmap.data.charities`: NCVO charities per local authority.
- :mod:`~assetmap.data.build`: reads the source folder, verifies checksums, writes GeoParquet;
  :mod:`~assetmap.data.provenance` writes its manifest (what each output is built from).
- :mod:`~assetmap.data.store`: reads the built tables back, cached, with their manifest.
- :mod:`~assetmap.data.datacheck`: checks a build against its manifest.
- :mod:`~assetmap.data.dictionary`: one name and one label for every column and measure; the
  entries are in :mod:`~assetmap.data.dictionary_terms`, :mod:`~assetmap.data.dictionary_areas`
  and :mod:`~assetmap.data.dictionary_measures`.
- :mod:`~assetmap.data.uploadstore`: a browser's last mapped upload, kept for a while on disk.
"""
