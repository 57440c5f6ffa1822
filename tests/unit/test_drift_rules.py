"""What counts as drift: the rules :class:`kernel_hooks.drift.CellHistory` applies, without a kernel."""

import math

import pytest

from kernel_hooks.drift import CellHistory, Run, cell_key, normalized, source_key, student_t_tail


def scalar(value):
    return {"type": "float", "value": value}


def history_of(*values, name="x"):
    history = CellHistory()
    for i, value in enumerate(values):
        history.add("cell", "code", Run(i + 1, {name: value}, None))
    return history


def drift(history, value, name="x", threshold=0.5, error=None):
    return history.compare("cell", "code", {name: value}, error, threshold)


def test_comments_and_whitespace_do_not_change_the_code():
    assert normalized("x = 1  # one\n\n\ny   =  2\n") == "x = 1 y = 2"
    assert source_key("x = 1\n# note") == source_key("x = 1")
    assert source_key("x = '#'") != source_key("x = ''")
    assert source_key("%time x = 1  # timed") == source_key("%time x = 1")
    assert cell_key("a.ipynb", "c1", "k") == "a.ipynb#c1" and cell_key("a.ipynb", None, "k") == "a.ipynb@k"


def test_one_or_two_earlier_runs_flag_a_relative_change_over_the_threshold():
    history = history_of(scalar(1.0))
    assert (
        not drift(history, scalar(1.4))
        and drift(history, scalar(1.6))[0].change == "moved 60% from its earlier runs"
    )
    assert not drift(history, scalar(1.6), threshold=1.0)
    assert drift(history, scalar(-1.0))[0].change == "changed sign"


def test_three_or_more_earlier_runs_flag_a_value_in_the_tail_of_what_they_predict_in_bits():
    history = history_of(*(scalar(v) for v in (1.0, 1.1, 0.9, 1.05, 0.95)))
    assert not drift(history, scalar(1.1)) and not drift(history, scalar(1.3))  # 5.3 bits: within 1 %
    (far,) = drift(history, scalar(1.5))
    t = (1.5 - 1.0) / (math.sqrt(0.025 / 4) * math.sqrt(1 + 1 / 5))
    assert far.change == "outside the spread of its earlier runs"
    assert far.bits == pytest.approx(-math.log2(student_t_tail(t, 4)))
    assert [value for _, value in far.earlier] == [1.0, 1.1, 0.9, 1.05, 0.95]


def test_a_value_far_out_after_few_runs_is_a_few_tens_of_bits_not_a_flat_cap():
    history = history_of(*(scalar(v) for v in (1.0, 1.1, 0.9, 1.05)))
    near, far = drift(history, scalar(3.0))[0].bits, drift(history, scalar(30.0))[0].bits
    assert 10 < near < far < 40


def test_the_student_t_tail_matches_its_tables():
    assert student_t_tail(2.776, 4) == pytest.approx(0.05, abs=1e-4)
    assert student_t_tail(12.706, 1) == pytest.approx(0.05, abs=1e-4)
    assert student_t_tail(0.5, 10) == pytest.approx(0.6279, abs=1e-4)


def test_integer_arrays_are_data_compared_by_shape_and_dtype_only():
    tokens = {
        "type": "torch.Tensor",
        "shape": [2, 3],
        "dtype": "int64",
        "values": [1, 5, 9, 2, 7, 3],
        "nan": 0,
    }
    history = history_of(tokens, tokens)
    assert not drift(history, {**tokens, "values": [4, 0, 8, 6, 1, 2]})
    (shape,) = drift(history, {**tokens, "shape": [2, 4], "values": [1] * 8})
    assert shape.label == "x.shape"


def test_throwaway_names_are_not_compared():
    history = history_of(scalar(1.0), name="_")
    assert not drift(history, scalar(-5.0), name="_")


def test_a_deterministic_value_that_moves_at_all_is_drift_and_rounding_is_not():
    history = history_of(scalar(0.3), scalar(0.3), scalar(0.3))
    assert not drift(history, scalar(0.3 + 1e-15))
    (moved,) = drift(history, scalar(0.31))
    assert moved.change == "moved from 0.3, the same in its 3 earlier runs"


def test_a_value_that_never_varied_costs_the_bits_of_the_rule_of_succession_not_infinity():
    three, ten = history_of(*[scalar(0.3)] * 3), history_of(*[scalar(0.3)] * 10)
    assert drift(three, scalar(0.31))[0].bits == pytest.approx(math.log2(5))
    assert drift(ten, scalar(0.31))[0].bits == pytest.approx(math.log2(12))


def tensor(values, shape, dtype="float32"):
    return {"type": "torch.Tensor", "shape": shape, "dtype": dtype, "values": values, "nan": 0}


def test_elements_are_named_as_the_user_indexes_them():
    grid = [0.1, 0.2, 0.3, 0.25, 0.05, 0.15, 0.28, 0.12]
    history = history_of(tensor(grid, [2, 4]), tensor(grid, [2, 4]))
    moved = [*grid[:7], -0.12]
    (found,) = drift(history, tensor(moved, [2, 4]))
    assert (found.label, found.change) == ("x[1, 3]", "changed sign")


def test_a_wobble_small_against_the_arrays_scale_is_noise_not_drift():
    grid = [0.1, 0.2, 0.3, 0.0038, 0.05, 0.15, 0.28, 0.12]
    history = history_of(tensor(grid, [2, 4]))
    wobbled = [0.1, 0.2, 0.3, 0.0058, 0.05, 0.15, 0.28, 0.12]  # +52 % of itself, 0.7 % of the largest
    assert not drift(history, tensor(wobbled, [2, 4]))


def test_float_rounding_in_a_statistic_is_never_drift():
    stats = {
        "type": "torch.Tensor",
        "shape": [512, 512],
        "dtype": "float32",
        "nan": 0,
        "mean": 0.01,
        "norm": 300.0,
        "min": -4.0,
        "max": 4.0,
    }
    history = history_of(*[stats] * 4)
    rounded = {**stats, "mean": 0.01 + 3e-7, "norm": 300.0 * (1 + 1e-6)}
    assert not drift(history, rounded)
    assert drift(history, {**stats, "mean": 0.02})


def test_the_moves_of_a_run_come_most_surprising_first():
    history = history_of(*(tensor([v, 1.0, 2.0], [3]) for v in (0.5, 0.52, 0.48, 0.5)))
    found = drift(history, tensor([0.9, -1.0, 2.0], [3]))
    assert [d.label for d in found] == ["x[1]", "x[0]"]


def test_small_arrays_are_compared_element_by_element():
    earlier = {
        "type": "numpy.ndarray",
        "shape": [3],
        "dtype": "float64",
        "values": [0.2, -0.1, 0.5],
        "nan": 0,
    }
    history = history_of(earlier, earlier)
    now = {**earlier, "values": [0.2, 0.1, 0.5]}
    ((found),) = drift(history, now)
    assert (found.label, found.change, found.earlier) == ("x[1]", "changed sign", [(1, -0.1), (2, -0.1)])


def test_an_expected_change_is_an_envelope_not_a_mute():
    history = history_of(*(scalar(v) for v in (1.0, 1.0, 1.0)))
    history.expected = {"cell": {"x": 0.1}}
    assert not drift(history, scalar(1.5))  # five times the change marked expected: normal here
    (far,) = drift(history, scalar(3.0))  # twenty times: drift again
    assert "over 10× the change marked expected (±0.1)" in far.change


def test_expected_elements_leave_the_other_elements_watched():
    grid = [0.16, 0.2, 0.3, 0.25]
    history = history_of(tensor(grid, [4]), tensor(grid, [4]))
    history.expected = {"cell": {"x[0]": 0.01}}
    (found,) = drift(history, tensor([0.16, -0.2, 0.3, 0.25], [4]))
    assert found.label == "x[1]"


def test_names_expected_to_vary_and_bools_and_text_are_not_compared():
    history = history_of(scalar(1.0))
    history.expected = {"cell": {"x": None}}  # a whole name, as older logbooks marked it
    assert not drift(history, scalar(-5.0))
    assert not drift(history_of({"type": "bool", "value": True}), {"type": "bool", "value": False})
    assert not drift(history_of({"type": "str", "value": "a"}), {"type": "str", "value": "b"})


def test_other_code_in_the_same_cell_is_not_compared():
    history = history_of(scalar(1.0))
    assert not history.compare("cell", "other code", {"x": scalar(-1.0)}, None)
    assert not history.compare("other cell", "code", {"x": scalar(-1.0)}, None)


@pytest.mark.parametrize("name", ["elapsed", "start", "t0", "train_time", "step_ms", "cpu", "epoch_seconds"])
def test_timings_and_clock_readings_are_never_drift(name):
    history = history_of(*(scalar(v) for v in (0.14, 0.16, 0.13, 0.15)), name=name)
    assert not drift(history, scalar(0.9), name=name)


def test_a_name_that_only_contains_a_timing_word_is_still_compared():
    history = history_of(*(scalar(v) for v in (0.14, 0.16, 0.13, 0.15)), name="start_token_score")
    assert drift(history, scalar(0.9), name="start_token_score")


def test_a_small_dicts_numbers_are_compared_by_key():
    from kernel_hooks.summaries import summarize

    history = history_of(summarize({"clean": 1.0, "ablated": 0.2, "note": "x"}))
    (found,) = drift(history, summarize({"clean": 1.0, "ablated": -0.2, "note": "y"}))
    assert (found.label, found.change) == ("x['ablated']", "changed sign")
