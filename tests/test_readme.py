"""Every Python block of the README runs as a new user would paste it: each on its own, in a
fresh interpreter, in an empty folder."""
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = str(ROOT / "src")
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"),
                    re.S)


def _case(code):
    """pytest params: a block that starts a Dask cluster is slow (CI's `make test-slow` runs
    it); one that reads a zarr store needs zarr and the store, which a reader brings."""
    marks = []
    if "LocalCluster" in code:
        marks.append(pytest.mark.slow)
    if "from_zarr" in code:
        marks.append(pytest.mark.skip(reason="reads the reader's own zarr store"))
    first = next(line for line in code.splitlines() if line.strip())
    return pytest.param(code, marks=marks, id=f"{BLOCKS.index(code)}:{first[:40]}")


def test_the_readme_has_its_python_blocks():
    assert len(BLOCKS) >= 5, "the README's examples went missing"


@pytest.mark.parametrize("code", [_case(c) for c in BLOCKS])
def test_readme_block_runs_as_written(code, tmp_path):
    if "sklearn" in code and importlib.util.find_spec("sklearn") is None:
        pytest.skip("needs scikit-learn")
    env = dict(os.environ, PYTHONPATH=SRC, MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
