"""``python -m assetmap``: the ``assetmap`` command (:func:`assetmap.cli.main`)."""

from assetmap.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
