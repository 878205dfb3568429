"""gn.load_trained: a `glassnet train` model predicting raw rows from Python, in the forms
a serving script has them (one record, a list of records) and with predict's read options
(--sep, --decimal, --na-values) given as arguments."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import glassnet
from glassnet.cli import main


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trained")
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(2, 200))
    # (missing a and b in training: a missing value in new rows is not news)
    lines = ["a,b,colour,label"] + [
        f"{'' if i == 7 else f'{x:.3f}'},{'' if i == 9 else f'{y:.3f}'},{'rgb'[i % 3]},"
        f"{'yes' if x > y else 'no'}" for i, (x, y) in enumerate(zip(a, b))]
    (folder / "train.csv").write_text("\n".join(lines) + "\n")
    assert main(["train", str(folder / "train.csv"), "--target", "label", "--epochs", "5",
                 "--quiet", "--out", str(folder / "run")]) == 0
    return glassnet.load_trained(folder / "run" / "model.gnet"), folder


def test_one_record_and_a_list_of_records_predict_as_columns(run):
    trained, _ = run
    rows = {"a": [0.5, -1.0, 2.0], "b": [0.1, 0.3, None], "colour": ["g", "r", "b"]}
    expected = trained.predict_proba(rows)
    records = [{k: v[i] for k, v in rows.items()} for i in range(3)]
    np.testing.assert_array_equal(trained.predict_proba(records), expected)
    # (one row's float32 products may round otherwise than three rows')
    np.testing.assert_allclose(trained.predict_proba(records[0]), expected[:1], rtol=1e-6)
    assert trained.predict(records[1]).tolist() == trained.predict(rows).tolist()[1:2]
    # a key a record lacks is a missing value there, as None is
    lacking = [records[0], {"a": -1.0, "colour": "r"}]
    np.testing.assert_array_equal(trained.predict_proba(lacking),
                                  trained.predict_proba([records[0], {**records[1], "b": None}]))


def test_read_options_override_what_the_model_stored(run):
    trained, folder = run
    ref = trained.predict_proba(folder / "train.csv")
    text = (folder / "train.csv").read_text()
    piped = folder / "piped.csv"      # '|' and decimal commas: read only with sep/decimal
    piped.write_text(text.replace(",", "|").replace(".", ","))
    np.testing.assert_array_equal(trained.predict_proba(piped, sep="|", decimal=","), ref)
    marked = folder / "marked.csv"    # an 'unknown' cell: missing only with na_values
    lines = text.splitlines()
    first = lines[1].split(",")
    lines[1] = ",".join(["unknown", *first[1:]])
    marked.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match="'unknown'"):
        trained.predict(marked)
    got = trained.predict_proba(marked, na_values="unknown")
    np.testing.assert_array_equal(got[1:], ref[1:])
    record = {"a": "unknown", "b": first[1], "colour": first[2]}
    np.testing.assert_array_equal(trained.predict_proba(record, na_values=["unknown"]),
                                  got[:1])


@pytest.mark.parametrize("kwargs, error, words", [
    ({"sep": ";;"}, ValueError, "sep must be one character"),
    ({"sep": 5}, TypeError, "sep must be a string"),
    ({"decimal": ";"}, ValueError, "decimal must be '.' or ','"),
    ({"na_values": True}, TypeError, "na_values must be a string, a number or a list of them"),
    ({"na_values": [None]}, TypeError, "na_values must be a string, a number or a list"),
    ({"na_values": "-999,0"}, ValueError, "na_values '-999,0' splits into the tokens"),
])
def test_bad_read_options_are_named(run, kwargs, error, words):
    trained, folder = run
    with pytest.raises(error, match=words):
        trained.predict(folder / "train.csv", **kwargs)


def test_skip_rows_reads_a_file_below_its_title_lines(run):
    trained, folder = run
    ref = trained.predict_proba(folder / "train.csv")
    titled = folder / "titled.csv"
    titled.write_text("Scores, May 2024\n\n" + (folder / "train.csv").read_text())
    np.testing.assert_array_equal(trained.predict_proba(titled, skip_rows=2), ref)
    with pytest.raises(ValueError, match="pass skip_rows=2 or delete the lines above"):
        trained.predict(titled)
    with pytest.raises(ValueError, match=r"\(skip_rows=3 skipped lines 1-3: was the header "
                                         r"among them\?\)"):
        trained.predict(titled, skip_rows=3)


def test_file_options_on_in_memory_rows_are_refused(run):
    trained, _ = run
    with pytest.raises(ValueError, match="say how to read a CSV file; list data"):
        trained.predict([{"a": 1.0, "b": 2.0, "colour": "r"}], sep=";")
    with pytest.raises(ValueError, match="skip_rows= say how to read a CSV file; dict data"):
        trained.transform({"a": [1.0], "b": [2.0], "colour": ["r"]}, skip_rows=1)


def test_data_frames_name_their_columns_whole(run):
    """Trial 16/R findings 3 and 5: a DataFrame lacking a model column was told what it has
    among the model's columns only (no 'did you mean' for another case), and duplicate
    column names failed as 'must be 1-D'."""
    pd = pytest.importorskip("pandas")
    trained, _ = run
    with pytest.raises(ValueError, match=r"needs: b \(did you mean 'B'\?\) \(it has: a, B, "
                                         r"colour, zzz\)"):
        trained.predict(pd.DataFrame({"a": [1.0], "B": [2.0], "colour": ["r"], "zzz": [3]}))
    twice = pd.DataFrame([[1.0, 2.0, 3.0, "r"]], columns=["a", "a", "b", "colour"])
    with pytest.raises(ValueError, match=r"duplicate column name\(s\) \['a'\]"):
        trained.predict(twice)


def test_messages_name_the_arguments_not_the_command_line_options(run, tmp_path):
    """Trial finding: load_trained's errors told a Python user to add the text "with
    --na-values" or to "pass --decimal ,", options of `glassnet predict`; they name the
    arguments instead (na_values=, decimal=, sep=), and none for rows in memory, which are
    read already."""
    trained, folder = run
    lines = (folder / "train.csv").read_text().splitlines()
    record = dict(zip(lines[0].split(","), lines[1].split(",")))

    def error(data, **read):
        with pytest.raises(ValueError) as info:
            trained.predict(data, **read)
        message = str(info.value)
        assert "with --" not in message and "pass --" not in message, message
        return message

    def as_file(a_value):
        path = tmp_path / "new.csv"
        cells = [f'"{a_value}"', *lines[1].split(",")[1:]]
        path.write_text(f"{lines[0]}\n{','.join(cells)}\n")
        return path

    assert "add it with na_values=['unknown']" in error({**record, "a": "unknown"})
    assert "add it with na_values=['unknown']" in error(as_file("unknown"))
    assert "add it with na_values=['1_5'])" in error({**record, "a": "1_5"})
    assert "reading it as missing would throw it away" in error({**record, "a": "$1,000"})
    assert "pass decimal=','" in error(as_file("1.138,23"))
    assert "read its file with that decimal mark" in error({**record, "a": "1.138,23"})
    semi = tmp_path / "semi.csv"
    semi.write_text("\n".join(line.replace(",", ";") for line in lines) + "\n")
    assert "(the file looks delimited by ';': pass sep=';')" in error(semi, sep=",")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a;b;colour\n1,5;2;r\n")
    assert "looks delimited by ';'; pass sep=';'" in error(ragged, sep=",")


def test_a_dict_mixing_lists_and_single_values_is_read_as_pandas_reads_it(run):
    """Trial V findings 1 and 2: in a dict of lists a single text value was split into one
    row per character ('male': 4 rows of 'm', 'a', 'l', 'e', or "column 'Sex' has 4 rows"),
    and one record with an extra list-valued key was refused blaming another column. As
    pandas' DataFrame constructor: a single value (text too) is repeated on every row, a list
    of another length is an error naming it; a record whose model columns hold single values
    is one record, whatever its extra keys hold."""
    trained, _ = run
    records = [{"a": 0.5, "b": 0.1, "colour": "g"}, {"a": -1.0, "b": 0.1, "colour": "g"},
               {"a": 2.0, "b": 0.1, "colour": "g"}]
    expected = trained.predict_proba(records)
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no category 'g' split into unseen characters
        np.testing.assert_array_equal(
            trained.predict_proba({"a": [0.5, -1.0, 2.0], "b": 0.1, "colour": "g"}), expected)
        np.testing.assert_array_equal(trained.predict_proba(
            {"a": np.array([0.5, -1.0, 2.0]), "b": [0.1] * 3, "colour": "g"}), expected)
        one = trained.predict_proba(records[0])
        np.testing.assert_array_equal(
            trained.predict_proba({**records[0], "tags": [1, 2], "meta": {"k": 1}}), one)
    with pytest.raises(ValueError, match=r"column b has 2 values and column a 3"):
        trained.predict({"a": [0.5, -1.0, 2.0], "b": [0.1, 0.2], "colour": "g"})


def test_a_series_and_any_iterable_of_records_are_rows(run):
    """Trial V finding 8: a pandas Series (a DataFrame's row, df.iloc[0]) and a generator of
    records were refused, and the refusal listed none of the forms predict takes."""
    pd = pytest.importorskip("pandas")
    trained, _ = run
    records = [{"a": 0.5, "b": 0.1, "colour": "g"}, {"a": -1.0, "b": None, "colour": "r"}]
    expected = trained.predict_proba(records)
    frame = pd.DataFrame(records)
    np.testing.assert_allclose(trained.predict_proba(frame.iloc[1]), expected[1:], rtol=1e-6)
    np.testing.assert_array_equal(trained.predict_proba(r for r in records), expected)
    np.testing.assert_array_equal(trained.predict_proba(dict(enumerate(records)).values()),
                                  expected)
    with pytest.raises(TypeError) as info:
        trained.predict(42)
    for form in ("DataFrame", "dict of columns", "one record as a dict", "pandas Series",
                 "list (or any iterable) of record dicts", "Table", "CSV file's path",
                 "got int"):
        assert form in str(info.value), form


def test_read_options_take_numbers_and_files_and_keywords_are_named(run, tmp_path):
    """Trial V finding 8: na_values=-999 or [-999] was a TypeError (pandas takes numbers), a
    missing file a ValueError (pandas and open() raise FileNotFoundError), and a keyword that
    predict does not take was blamed on transform()."""
    trained, folder = run
    record = {"a": -999, "b": 0.1, "colour": "g"}
    missing = trained.predict_proba({**record, "a": None})
    for na in (-999, -999.0, [-999], ["-999"], (np.int64(-999),)):
        np.testing.assert_array_equal(trained.predict_proba(record, na_values=na), missing)
    path = folder / "train.csv"
    # a cell of column a whose text is the number's own spelling (not "0.250" for 0.25)
    cell = next(t for t in (line.split(",")[0] for line in path.read_text().splitlines()[1:])
                if t and repr(float(t)) == t)
    as_number = trained.predict_proba(path, na_values=[float(cell)])
    np.testing.assert_array_equal(as_number, trained.predict_proba(path, na_values=cell))
    assert not np.array_equal(as_number, trained.predict_proba(path))  # the cell went missing
    with pytest.raises(FileNotFoundError, match="no such file: .*nope.csv"):
        trained.predict(tmp_path / "nope.csv")
    for method in (trained.predict, trained.predict_proba):
        with pytest.raises(TypeError, match=rf"{method.__name__}\(\) got an unexpected keyword "
                                            r"argument 'delimiter'"):
            method(record, delimiter=";")


def test_a_missing_model_file_is_a_file_not_found_error(tmp_path):
    """Trial 16/Z5: load_trained said ValueError for a missing model file, where gn.load and
    GlassClassifier.load (and the CHANGELOG) say FileNotFoundError."""
    with pytest.raises(FileNotFoundError, match="no such model file"):
        glassnet.load_trained(tmp_path / "nothing.gnet")
    with pytest.raises(ValueError, match="is a folder"):
        glassnet.load_trained(tmp_path)


@pytest.mark.parametrize("cells, as_numbers", [
    ([None, False], [None, 0.0]),
    (["", False], [None, 0.0]),
    (["NA", True], [None, 1.0]),
    ([" ", np.False_], [None, 0.0]),
    ([np.nan, True], [None, 1.0]),
    (["1.5", True], [1.5, 1.0]),
    ([1.5, True], [1.5, 1.0]),
])
def test_a_bool_in_a_numeric_column_is_its_number_beside_any_missing_marker(
        run, cells, as_numbers):
    """A property-based test's finding: a bool beside '' or 'NA' (or beside number text) in a
    numeric column was read as the text 'False' and refused, while beside None it was 0. A
    bool is its number (0 or 1) whatever sits beside it, in every form rows are given in."""
    pd = pytest.importorskip("pandas")
    trained, _ = run
    rest = {"b": [0.1, -0.3], "colour": ["g", "r"]}
    expected = trained.transform({"a": as_numbers, **rest})
    assert np.isfinite(expected).all()
    frames = {"a dict of columns": {"a": cells, **rest},
              "records": [{"a": cells[i], "b": rest["b"][i], "colour": rest["colour"][i]}
                          for i in range(2)],
              "a DataFrame": pd.DataFrame({"a": cells, **rest}),
              "an object DataFrame": pd.DataFrame({"a": cells, **rest}, dtype=object)}
    for form, rows in frames.items():
        np.testing.assert_array_equal(trained.transform(rows), expected, err_msg=form)
    # a token of na_values is missing beside a bool as well
    marked = ["unknown" if as_numbers[0] is None else cells[0], cells[1]]
    np.testing.assert_array_equal(
        trained.transform({"a": marked, **rest}, na_values="unknown"), expected)


@pytest.mark.parametrize("true, false", [("True", "False"), ("TRUE", "FALSE")])
def test_bools_predict_as_the_true_false_text_of_the_training_csv(tmp_path, true, false):
    """User trials: a model trained on a CSV whose column holds True/False (or TRUE/FALSE)
    text predicted otherwise from pd.read_csv's frame (a bool column) or from a record with
    a Python bool: the bools were the unseen categories '1' and '0'. They are the column's
    true and false categories, in every form rows come in."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(1)
    age, smoker = rng.integers(18, 80, 200), rng.random(200) > 0.7
    y = np.where((age - 50) / 10 + 3 * smoker + rng.normal(size=200) > 0, "high", "low")
    flag = np.where(smoker, true, false)
    flag[::20] = ""   # missing values: pd.read_csv makes the column bools and NaN
    path = tmp_path / "ins.csv"
    path.write_text("age,smoker,y\n" + "".join(f"{a},{s},{c}\n" for a, s, c in
                                               zip(age, flag, y)))
    assert main(["train", str(path), "--target", "y", "--out", str(tmp_path / "run"),
                 "--epochs", "3", "--quiet"]) == 0
    trained = glassnet.load_trained(tmp_path / "run" / "model.gnet")
    expected = trained.transform(path)
    frame = pd.read_csv(path)
    assert frame["smoker"].map(type).isin([bool, float]).all()   # bools, NaN for the blank
    present = frame.dropna().astype({"smoker": bool})
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no row is news to the model
        np.testing.assert_array_equal(trained.transform(frame), expected)
        np.testing.assert_array_equal(trained.transform(present), expected[present.index])
        np.testing.assert_array_equal(
            trained.transform(frame.astype({"smoker": "boolean"})), expected)
        assert (trained.predict(frame) == trained.predict(path)).all()
        for value, text in ((True, true), (np.False_, false), (None, "")):
            np.testing.assert_array_equal(
                trained.predict_proba({"age": 40, "smoker": value}),
                trained.predict_proba({"age": 40, "smoker": text}))


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wide")
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 30))
    header = ",".join(f"c{j}" for j in range(30)) + ",label"
    lines = [header] + [",".join(f"{v:.3f}" for v in row) + f",{'ab'[i % 2]}"
                        for i, row in enumerate(X)]
    (folder / "wide.csv").write_text("\n".join(lines) + "\n")
    assert main(["train", str(folder / "wide.csv"), "--target", "label", "--epochs", "1",
                 "--quiet", "--out", str(folder / "run")]) == 0
    return glassnet.load_trained(folder / "run" / "model.gnet")


def test_the_warning_of_a_wide_table_lists_the_first_notes_and_counts_the_rest(wide):
    """A review's finding: predict joined every transform note into one warning, without
    end: a 2,000-column frame with an all-missing row and a row of far values gave a
    warning of 616,697 characters. It lists the first 10 and says how many more, and on
    which columns."""
    names = wide.feature_names_in_
    rows = {c: [None, 1e6] for c in names}   # two notes a column: missing, far
    with pytest.warns(UserWarning) as caught:
        wide.predict(rows)
    assert len(caught) == 1
    text = str(caught[0].message)
    notes = text.split("; ")
    assert len(notes) == 11, text
    assert notes[0].startswith(f"{names[0]}: 1 row(s) with a missing value")
    more = 2 * len(names) - 10
    later = list(dict.fromkeys(names[j // 2] for j in range(10, 2 * len(names))))
    assert notes[-1] == (f"... and {more} more (columns {', '.join(later[:10])} and "
                         f"{len(later) - 10} more)")
    # a few notes are listed as they are
    with pytest.warns(UserWarning) as caught:
        wide.predict({c: [None if c == names[0] else 0.0] for c in names})
    assert "more" not in str(caught[0].message)


def test_a_large_matrix_is_a_warning_of_the_python_api_with_a_fitted_models_advice(
        run, monkeypatch, capsys):
    """Review R4: load_trained's transform went through the CLI's note (a print on stderr,
    the warning silenced); it gives the preprocessor's MatrixSizeWarning, at the user's
    line, advising fewer rows at a time (a fitted model has no --drop)."""
    import glassnet.preprocess as pp
    trained, _ = run
    monkeypatch.setattr(pp, "_BIG_MATRIX", 1)
    with pytest.warns(pp.MatrixSizeWarning, match="give fewer rows at a time") as caught:
        trained.predict({"a": [0.5], "b": [0.1], "colour": ["g"]})
    assert caught[0].filename == __file__
    assert "glassnet: note" not in capsys.readouterr().err

