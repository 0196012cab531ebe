"""The ``cmd_<name>`` functions of the ``assetmap`` subcommands, grouped by concern.

Each takes the parsed arguments and returns the exit status:

* :mod:`~assetmap.cli.commands.data`: build, check-data, dictionary, ingest, join
* :mod:`~assetmap.cli.commands.tables`: deciles, findings, gaps, summary, change, bivariate
* :mod:`~assetmap.cli.commands.spatial`: access, near, hotspots
* :mod:`~assetmap.cli.commands.planning`: whatif, sites
* :mod:`~assetmap.cli.commands.ranking`: invest
"""
