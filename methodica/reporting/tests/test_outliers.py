from __future__ import annotations

import pytest

from methodica.reporting.outliers import modified_z_scores, outliers


def test_the_score_of_a_worked_example():
    # median 11; deviations 3,2,1,0,1,2,39 -> MAD 2; z(50) = 0.6745 * 39 / 2
    scores = modified_z_scores([8, 9, 10, 11, 12, 13, 50])
    assert scores[-1] == pytest.approx(0.6745 * 39 / 2)
    assert scores[3] == 0


def test_one_extreme_report_is_flagged_and_the_others_are_not():
    loans_per_user = {
        f"library {n}": value
        for n, value in enumerate([12.0, 14.5, 11.0, 13.2, 15.1, 12.8, 140.0])
    }
    found = outliers(loans_per_user)
    assert [o.key for o in found] == ["library 6"]
    assert found[0].group_median == pytest.approx(13.2)


def test_no_spread_means_no_outlier_and_mad_zero_falls_back_to_the_mean_deviation():
    assert outliers({n: 5.0 for n in range(10)}) == []
    values = {n: 5.0 for n in range(8)} | {"odd": 30.0}
    assert [o.key for o in outliers(values)] == ["odd"]


def test_small_groups_and_missing_values_flag_nothing():
    assert outliers({"a": 1.0, "b": 2.0, "c": 500.0, "d": None}) == []
