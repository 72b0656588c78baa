"""data/safety.toml: the levels are checked when the policy is read."""

from __future__ import annotations

import pytest

from companion.data import DataError, load_data
from companion.safety import policy


def with_levels(urge_level, check_in_level):
    data = load_data(policy.FILE)
    return {**data, "policy": {**data["policy"], "urge_level": urge_level,
                               "check_in_level": check_in_level}}


def test_the_packaged_policy_checks_in_below_the_response_level():
    loaded = policy.load()
    assert 0 < loaded.check_in_level <= loaded.urge_level


@pytest.mark.parametrize(("urge_level", "check_in_level", "named"), [
    (7, 8, "check_in_level must not be above urge_level"),
    (7, -1, "check_in_level must be a number"),
    (11, 1, "urge_level must be a number"),
])
def test_levels_out_of_range_or_order_are_refused(urge_level, check_in_level, named):
    with pytest.raises(DataError, match=named):
        policy.parse(with_levels(urge_level, check_in_level))
