"""CSV and NPZ tables: separators, missing values, and the columns of a saved model by name, never by luck."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.data.tables import MAX_CLASSES, find_label_column, looks_like_classes, read_table
from glassnet.errors import DatasetError

HEADER = ["alcohol", "ash", "hue", "class"]
ROWS = [["14.2", "2.4", "1.04", "barolo"], ["13.2", "2.1", "1.05", "barolo"], ["12.4", "2.6", "0.9", "barbera"]]


def write(path, rows, sep=","):
    path.write_text("\n".join(sep.join(row) for row in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("sep", [";", "\t"])
def test_a_semicolon_or_tab_separated_file_reads_as_the_same_table(tmp_path, sep):
    """Read today as one column named 'alcohol;ash;hue;class' and refused with no hint."""
    comma = read_table(write(tmp_path / "a.csv", [HEADER, *ROWS]))
    other = read_table(write(tmp_path / "b.csv", [HEADER, *ROWS], sep=sep))
    assert other.feature_names == comma.feature_names == ["alcohol", "ash", "hue"]
    assert np.array_equal(other.X, comma.X) and other.labels.tolist() == comma.labels.tolist()
    assert other.label_name == "class"


def test_a_decimal_comma_is_named(tmp_path):
    rows = [HEADER, *[[c.replace(".", ",") for c in row] for row in ROWS]]
    with pytest.raises(DatasetError, match=r"line 2, column 'alcohol': '14,2' is not a number: write decimals with "
                                           r"a point \(14\.2\)"):
        read_table(write(tmp_path / "eu.csv", rows, sep=";"))


@pytest.mark.parametrize("cell,said", [("", "an empty cell"), ("NA", "'NA'"), ("nan", "'nan'"), ("?", "'?'")])
def test_an_empty_cell_is_a_missing_value_with_its_line_and_column(tmp_path, cell, said):
    """Today: "'' is not a number; encode categorical features as numbers first"."""
    rows = [HEADER, ROWS[0], ["13.2", cell, "1.05", "barolo"], ROWS[2]]
    with pytest.raises(DatasetError) as error:
        read_table(write(tmp_path / "gap.csv", rows))
    message = str(error.value)
    assert f"line 3, column 'ash': {said} is a missing value (1 missing" in message
    assert "categorical" not in message and "drop those rows" in message


def test_line_numbers_count_blank_lines(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("a,b,label\n1,2,0\n\n3,,1\n")
    with pytest.raises(DatasetError, match="line 4, column 'b': an empty cell is a missing value"):
        read_table(path)


def test_a_missing_label_and_a_word_among_numbers(tmp_path):
    with pytest.raises(DatasetError, match=r"line 3, column 'class': the label is missing"):
        read_table(write(tmp_path / "nolabel.csv", [HEADER, ROWS[0], ["13.2", "2.1", "1.05", ""], ROWS[2]]))
    with pytest.raises(DatasetError, match="'red' is not a number; encode categorical features as numbers"):
        read_table(write(tmp_path / "word.csv", [HEADER, ROWS[0], ["13.2", "red", "1.05", "barolo"]]))
    with pytest.raises(DatasetError, match="'inf' is not a finite number"):
        read_table(write(tmp_path / "inf.csv", [HEADER, ["inf", "2.4", "1.04", "barolo"]]))


def test_a_file_to_predict_may_leave_its_label_column_empty(tmp_path):
    rows = [HEADER, *[[*row[:3], ""] for row in ROWS]]
    table = read_table(write(tmp_path / "p.csv", rows), require_label=False, features=HEADER[:3], label_hint="class")
    assert table.labels is None and table.X.shape == (3, 3)


# ------------------------------------------------------------------------------ a saved model's columns


def test_columns_of_another_data_set_of_the_same_width_are_refused(tmp_path):
    """Today they go through by position, without a word."""
    other = write(tmp_path / "other.csv", [["f0", "f1", "f2"], ["1", "2", "3"]])
    with pytest.raises(DatasetError) as error:
        read_table(other, require_label=False, features=HEADER[:3], n_features=3)
    message = str(error.value)
    assert "none of its columns ('f0', 'f1', 'f2') is a feature of the model ('alcohol', 'ash', 'hue')" in message
    assert len(message.splitlines()) == 1


def test_renamed_columns_are_named(tmp_path):
    renamed = write(tmp_path / "renamed.csv", [["alcohol", "ASH", "hue"], ["1", "2", "3"]])
    with pytest.raises(DatasetError, match=r"it lacks the model's feature\(s\) 'ash'; the model has no feature\(s\) "
                                           r"'ASH'"):
        read_table(renamed, require_label=False, features=HEADER[:3], n_features=3)


def test_the_models_columns_in_another_order_are_picked_by_name_only_when_asked(tmp_path):
    rows = [["hue", "class", "alcohol", "ash"], *[[r[2], r[3], r[0], r[1]] for r in ROWS]]
    path = write(tmp_path / "moved.csv", rows)
    with pytest.raises(DatasetError, match=r"the model's in another order \('hue', 'alcohol', 'ash' are not where "
                                           r"the model has them\).*--columns-by-name"):
        read_table(path, require_label=False, features=HEADER[:3], n_features=3, label_hint="class")
    table = read_table(path, require_label=False, features=HEADER[:3], n_features=3, label_hint="class",
                       by_name=True)
    expected = read_table(write(tmp_path / "in_order.csv", [HEADER, *ROWS]))
    assert table.feature_names == HEADER[:3] and np.array_equal(table.X, expected.X)
    assert table.labels.tolist() == expected.labels.tolist()


def test_the_same_names_in_the_same_order_need_no_flag(tmp_path):
    table = read_table(write(tmp_path / "same.csv", [HEADER, *ROWS]), require_label=False, features=HEADER[:3],
                       n_features=3, label_hint="class")
    assert table.feature_names == HEADER[:3] and table.labels is not None


def test_an_npz_without_names_is_taken_in_order_and_with_names_is_checked(tmp_path):
    X = np.arange(6.0).reshape(2, 3)
    np.savez(tmp_path / "plain.npz", X=X)
    table = read_table(tmp_path / "plain.npz", require_label=False, features=HEADER[:3], n_features=3)
    assert not table.named and np.array_equal(table.X, X.T)
    np.savez(tmp_path / "named.npz", X=X, feature_names=np.array(["hue", "alcohol", "ash"]))
    with pytest.raises(DatasetError, match="another order"):
        read_table(tmp_path / "named.npz", require_label=False, features=HEADER[:3], n_features=3)
    table = read_table(tmp_path / "named.npz", require_label=False, features=HEADER[:3], n_features=3, by_name=True)
    assert np.array_equal(table.X, X[:, [1, 2, 0]].T)


# ------------------------------------------------------------------------------ the shared rules


@pytest.mark.parametrize("names, index", [
    (["x", "y", "label"], 2),  # "label" is preferred over "y", wherever it stands
    (["Label ", "x1", "x2"], 0),
    (["target", "y", "x"], 1),
    (["a", "class", "target"], 2),
    (["a", "b", "c"], None),
])
def test_find_label_column_prefers_names_in_order(names, index):
    assert find_label_column(names) == index


def test_a_csv_with_x_y_and_label_columns_takes_label_as_its_label(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("x,y,label\n0.5,1.5,0\n1.0,2.0,1\n")
    table = read_table(path)
    assert table.label_name == "label" and table.feature_names == ["x", "y"]


@pytest.mark.parametrize("labels, expected", [
    (np.array([[0, 1, 1, 0]]), True),
    (np.array([[0.0, 2.0, 5.0]]), True),  # whole numbers stored as floats
    (np.array([[-1, 1]]), True),
    ([3, 1, 2], True),  # a plain list, one row
    (np.arange(MAX_CLASSES).reshape(1, -1), True),
    (np.arange(MAX_CLASSES + 1).reshape(1, -1), False),  # 101 distinct values: a quantity to regress
    (np.array([[0.5, 1.0]]), False),
    (np.array([[0.0, np.nan]]), False),
    (np.array([[1, 0], [0, 1]]), False),  # several rows (one-hot): not one row of class labels
    (np.array([["cat", "dog"]]), False),  # text: the caller decides
    (np.zeros((1, 0)), False),
])
def test_looks_like_classes(labels, expected):
    assert looks_like_classes(labels) is expected
