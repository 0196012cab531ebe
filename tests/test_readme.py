"""The README's Python example runs as written (it rotted once when the library moved)."""

from __future__ import annotations

import re

import pandas as pd

from assetmap import settings


def test_readme_python_examples_run(data_dir: object) -> None:
    del data_dir  # built first
    text = (settings.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "the README has a Python example"
    for block in blocks:
        namespace: dict[str, object] = {}
        exec(compile(block, "README.md", "exec"), namespace)  # our own README, run as written
    metrics = namespace["m"]
    assert isinstance(metrics, pd.DataFrame)
    assert len(metrics) == 33_755  # every English LSOA, as the example computes them
