"""``python -m assetmap.cli``: the same as ``python -m assetmap``."""

from assetmap.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
