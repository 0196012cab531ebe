"""assetmap: community assets against deprivation for England's neighbourhoods."""

__version__ = "0.1.0"
