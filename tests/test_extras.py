"""Optional extras: a missing one is named, with the command that installs it."""
import subprocess
import sys
from pathlib import Path

import pytest

import glassnet as gn

SRC = str(Path(gn.__file__).resolve().parents[1])

CASES = [  # (module made unimportable, code that needs it, expected message)
    ("sklearn", "import glassnet.sklearn",
     'glassnet.sklearn needs scikit-learn, which is not installed: '
     'pip install "glassnet[sklearn]"'),
    ("dask", "from glassnet.scaling import fit_incremental; fit_incremental(None, [[1.0]], [1])",
     'glassnet.scaling needs dask, which is not installed: pip install "glassnet[dask]"'),
    # the same modules reached as attributes after `import glassnet as gn` (an
    # AttributeError, so that hasattr() and help() go on)
    ("sklearn", "import glassnet as gn; assert not hasattr(gn, 'sklearn'); gn.sklearn",
     'glassnet.sklearn needs scikit-learn, which is not installed: '
     'pip install "glassnet[sklearn]"'),
    ("matplotlib", "import glassnet as gn; gn.plot.learning_curve([1.0, 0.5])",
     'pip install "glassnet[plot]"'),
]  # matplotlib: tests/test_plot.py


@pytest.mark.parametrize("blocked, code, message", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_a_missing_extra_is_named(blocked, code, message):
    # sys.modules[name] = None makes `import name` raise ImportError, as if not installed
    prog = (f"import sys; sys.path.insert(0, {SRC!r}); sys.modules[{blocked!r}] = None\n"
            f"try:\n    {code}\nexcept (ImportError, AttributeError) as e:\n"
            f"    print('IMPORTERROR', e)")
    out = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("IMPORTERROR")), "")
    assert message in line, (line, out.stderr[-2000:])


def test_import_glassnet_loads_no_extra():
    prog = ("import sys; sys.path.insert(0, %r); import glassnet\n"
            "print(sorted(m for m in ('sklearn', 'dask', 'matplotlib', 'tqdm', 'torch') "
            "if m in sys.modules))" % SRC)
    out = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "[]", (out.stdout, out.stderr)


def test_optional_modules_are_attributes_of_the_package():
    """``gn.plot``, ``gn.sklearn``, ``gn.scaling`` load on first use, as ``import
    glassnet.plot`` does; other unknown names still raise AttributeError."""
    import glassnet.plot
    import glassnet.scaling
    import glassnet.sklearn
    assert (gn.plot, gn.sklearn, gn.scaling) == (glassnet.plot, glassnet.sklearn,
                                                 glassnet.scaling)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        gn.nothing
    assert {"plot", "sklearn", "scaling", "Sequential"} <= set(dir(gn))
