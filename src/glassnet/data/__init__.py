"""glassnet's data layer: bundled datasets, generators, a CSV reader and seeded splits.

>>> from glassnet.data import load_dataset, train_test_split
>>> ds = load_dataset("breast_cancer")
>>> X_tr, X_te, y_tr, y_te = train_test_split(ds.X, ds.y, stratify=ds.y, seed=0)

Only NumPy and the standard library are used.
"""
from .bundled import (DATA_DIR, Dataset, dataset_path, list_datasets, load_breast_cancer,
                      load_dataset, load_energy, load_titanic)
from .generators import make_circles, make_gate, make_line, make_moons, make_spirals
from .split import kfold, split_indices, stratified_kfold, train_test_split
from .tabular import (DELIMITERS, NA_VALUES, NUMERIC_NA_VALUES, ColumnNotFoundError,
                      DelimiterError, NumericShare, Table, read_csv, write_csv)

__all__ = [
    "Dataset", "load_dataset", "list_datasets", "dataset_path", "load_energy",
    "load_breast_cancer", "load_titanic", "DATA_DIR",
    "make_gate", "make_line", "make_moons", "make_circles", "make_spirals",
    "train_test_split", "split_indices", "kfold", "stratified_kfold",
    "Table", "ColumnNotFoundError", "DelimiterError", "read_csv", "write_csv", "NA_VALUES",
    "NUMERIC_NA_VALUES", "DELIMITERS", "NumericShare",
]
