"""The Vietnamese number format every text a resident or staff member reads goes through."""

import pytest

from content.text import format_number


@pytest.mark.parametrize("value, decimals, shown", [
    (0, 0, "0"),
    (999, 0, "999"),
    (2000, 0, "2.000"),
    (1234567, 0, "1.234.567"),
    (-45000, 0, "-45.000"),
    (12_345_678_901_234_567_891, 0, "12.345.678.901.234.567.891"),  # ints stay exact
    (87.5, 1, "87,5"),
    (3.0, 1, "3,0"),
    (1234.56, 1, "1.234,6"),
    (0.25, 2, "0,25"),
])
def test_thousands_take_a_dot_and_decimals_a_comma(value, decimals, shown):
    assert format_number(value, decimals) == shown
