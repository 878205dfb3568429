"""The datasets that ship with glassnet, and one entry point for them and the generators.

Bundled files live in ``glassnet/data/files`` as gzip-compressed, byte-identical copies of the
public CSVs listed in ``files/PROVENANCE.md``.

=================  ==========  =====================================================
name               rows        target
=================  ==========  =====================================================
``energy``         3000        ``energy_level`` (0 = low, 1 = high) from velocity, mass
``breast_cancer``  569         ``diagnosis`` (B = 0, M = 1) from 30 numeric features
``titanic``        891         ``Survived`` (0/1) from a mixed table (text, missing)
=================  ==========  =====================================================

Generated: ``and``, ``or``, ``xor``, ``nand``, ``nor`` (4 rows), ``line``, ``moons``,
``circles``, ``spirals`` (see :mod:`glassnet.data.generators`).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import generators as _gen
from .tabular import Table, read_csv

__all__ = ["Dataset", "load_energy", "load_breast_cancer", "load_titanic", "load_dataset",
           "list_datasets", "dataset_path", "DATA_DIR"]

#: Folder of the bundled files.
DATA_DIR = Path(__file__).resolve().parent / "files"

_FILES = {
    "energy": "energy.csv.gz",
    "breast_cancer": "breast_cancer.csv.gz",
    "titanic": "titanic.csv.gz",
}
_ALIASES = {"toy_energy": "energy", "velocity_ke": "energy", "cancer": "breast_cancer",
            "breast_cancer_wisconsin": "breast_cancer"}
_GATES = tuple(_gen.GATES)
_GENERATED = _GATES + ("line", "moons", "circles", "spirals")


@dataclass(repr=False)
class Dataset:
    """A dataset ready to use: features ``X``, labels ``y`` and what they mean.

    Attributes
    ----------
    name : str
    X : ndarray (m, n) float32, or Table
        The features: a float32 matrix when they are all numeric; otherwise the feature columns
        as a :class:`Table` (titanic), to be encoded with
        :class:`glassnet.preprocess.TabularPreprocessor`.
    y : ndarray (m,) int64
        Class labels ``0..k-1``.
    feature_names : list of str
    target_name : str
        The column ``y`` comes from.
    target_names : list of str
        Class names: ``target_names[i]`` is the name of label ``i``.
    frame : Table
        The whole table as read from the file (or as generated), target included.
    default_target : str
        The column to predict by default (same as ``target_name``).
    task : str
        ``"classification"`` for every dataset here.
    description : str
    """

    name: str
    X: object
    y: np.ndarray
    feature_names: list
    target_name: str
    target_names: list
    frame: Table
    default_target: str
    task: str = "classification"
    description: str = ""
    path: Path | None = field(default=None)

    @property
    def n_samples(self) -> int:
        return int(self.y.shape[0])

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    @property
    def n_classes(self) -> int:
        return len(self.target_names)

    def __repr__(self):
        kind = "Table" if isinstance(self.X, Table) else f"float32 {self.X.shape}"
        counts = np.bincount(self.y, minlength=len(self.target_names)).tolist()
        return (f"Dataset({self.name!r}: {self.n_samples} rows, {self.n_features} features "
                f"({kind}), target {self.target_name!r} classes {self.target_names} "
                f"counts {counts})")


def _canonical(name: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"dataset name must be a str, got {type(name).__name__}")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    return _ALIASES.get(key, key)


def _unknown(name: str):
    names = list_datasets()
    close = difflib.get_close_matches(str(name).lower(), names + list(_ALIASES), n=3)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return ValueError(f"unknown dataset {name!r}{hint} Available: {', '.join(names)}")


def list_datasets() -> list[str]:
    """Names accepted by :func:`load_dataset`: bundled files first, then generators."""
    return list(_FILES) + list(_GENERATED)


def dataset_path(name: str) -> Path:
    """Path of a bundled dataset's gzip-compressed CSV (``read_csv`` reads it directly)."""
    key = _canonical(name)
    if key in _FILES:
        return DATA_DIR / _FILES[key]
    if key in _GENERATED:
        raise ValueError(f"dataset {name!r} is generated on demand and has no file; use "
                         f"load_dataset({name!r}) instead")
    raise _unknown(name)


def load_energy() -> Dataset:
    """The toy kinetic-energy dataset of seed 000: 3000 rows, velocity and mass -> energy_level
    (0 = "low", 1 = "high"; about 0.5·m·v² > 284)."""
    path = dataset_path("energy")
    frame = read_csv(path)
    features = ["velocity", "mass"]
    y = frame["energy_level"].astype(np.int64)
    return Dataset(name="energy", X=frame.to_numpy(features), y=y, feature_names=features,
                   target_name="energy_level", target_names=["low", "high"], frame=frame,
                   default_target="energy_level", path=path,
                   description="Toy kinetic-energy data (seed 000's companion repository, "
                               "MIT): is 0.5·m·v² high or low?")


def load_breast_cancer() -> Dataset:
    """Breast Cancer Wisconsin (Diagnostic): 569 rows, 30 numeric features -> diagnosis
    (0 = "B" benign, 1 = "M" malignant). The ``id`` column is not a feature."""
    path = dataset_path("breast_cancer")
    frame = read_csv(path)
    features = [c for c in frame.columns if c not in ("id", "diagnosis")]
    diag = frame["diagnosis"]
    bad = sorted({str(v) for v in diag} - {"B", "M"})
    if bad:  # pragma: no cover - the bundled file is fixed
        raise ValueError(f"unexpected diagnosis values {bad}")
    y = (diag == "M").astype(np.int64)
    return Dataset(name="breast_cancer", X=frame.to_numpy(features), y=y,
                   feature_names=features, target_name="diagnosis", target_names=["B", "M"],
                   frame=frame, default_target="diagnosis", path=path,
                   description="Breast Cancer Wisconsin (Diagnostic), UCI ML Repository, "
                               "CC BY 4.0")


def load_titanic() -> Dataset:
    """The Titanic passenger list (Kaggle's training set): 891 rows, 11 mixed columns (text,
    missing ages, cabins and ports) -> Survived (0 = "died", 1 = "survived").

    ``X`` is the feature :class:`Table`; encode it with
    :class:`glassnet.preprocess.TabularPreprocessor` fitted on the training split.
    """
    path = dataset_path("titanic")
    frame = read_csv(path)
    X = frame.drop("Survived")
    y = frame["Survived"].astype(np.int64)
    return Dataset(name="titanic", X=X, y=y, feature_names=X.columns, target_name="Survived",
                   target_names=["died", "survived"], frame=frame, default_target="Survived",
                   path=path, description="Titanic passengers (Kaggle training set)")


def _generated(key: str, **kwargs) -> Dataset:
    if key in _GATES:
        if kwargs:
            raise ValueError(f"the {key!r} gate takes no options, got {sorted(kwargs)}")
        X, y = _gen.make_gate(key)
        desc = f"the {key.upper()} logic gate: 4 rows"
    else:
        kwargs.setdefault("seed", 0)
        fn = {"line": _gen.make_line, "moons": _gen.make_moons,
              "circles": _gen.make_circles, "spirals": _gen.make_spirals}[key]
        try:
            X, y = fn(**kwargs)
        except TypeError as exc:
            raise ValueError(f"bad options for dataset {key!r}: {exc}") from exc
        desc = f"generated {key} ({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
    names = [f"x{j + 1}" for j in range(X.shape[1])]
    n_classes = int(y.max()) + 1 if key not in _GATES else 2
    frame = Table({**{nm: X[:, j].astype(np.float64) for j, nm in enumerate(names)},
                   "y": y.astype(np.float64)})
    return Dataset(name=key, X=X, y=y, feature_names=names, target_name="y",
                   target_names=[str(k) for k in range(n_classes)], frame=frame,
                   default_target="y", description=desc)


def load_dataset(name: str, **kwargs) -> Dataset:
    """Load a bundled dataset or generate one by name (see :func:`list_datasets`).

    Generator options (``n``, ``noise``, ``seed`` ...) pass through ``kwargs``; without a
    ``seed`` the generated datasets use ``seed=0``, so the same call gives the same data.
    """
    key = _canonical(name)
    if key in _FILES:
        if kwargs:
            raise ValueError(f"dataset {key!r} is a bundled file and takes no options, got "
                             f"{sorted(kwargs)}")
        return {"energy": load_energy, "breast_cancer": load_breast_cancer,
                "titanic": load_titanic}[key]()
    if key in _GENERATED:
        return _generated(key, **kwargs)
    raise _unknown(name)
