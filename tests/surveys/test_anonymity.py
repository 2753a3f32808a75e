"""The rule that keeps small groups hidden, and that no difference gives them away."""

from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.anonymity import GroupTree, remainders, shown_groups

# department 1 → areas 2, 3 → units 21, 22, 23 under 2, and 31, 32 under 3
PARENTS = {1: None, 2: 1, 3: 1, 21: 2, 22: 2, 23: 2, 31: 3, 32: 3}


def _tree(own):
    return GroupTree(parent=dict(PARENTS), own=own)


def test_unit_below_threshold_is_hidden_and_one_more_is_held_back_with_it():
    tree = _tree({21: 10, 22: 8, 23: 2, 31: 6, 32: 7})
    shown = shown_groups(tree, 5)
    assert 23 not in shown
    # Area 2 minus units 21 and 22 would be unit 23's two answers: the smaller of them goes too.
    assert 22 not in shown
    assert {1, 2, 21, 31, 32, 3} <= shown
    assert remainders(tree, shown)[2] == 10


def test_area_too_small_is_merged_into_the_department_without_leaking():
    tree = _tree({21: 2, 22: 1, 23: 0, 31: 6, 32: 7})
    shown = shown_groups(tree, 5)
    assert 2 not in shown and 21 not in shown
    # Department minus area 3 would be area 2's three answers: area 3 is held back too,
    # and then its units, whose sum is area 3.
    for unit, rest in remainders(tree, shown).items():
        assert rest == 0 or rest >= 5, (unit, rest)


def test_everything_shown_when_all_groups_are_large():
    tree = _tree({21: 5, 22: 5, 23: 5, 31: 5, 32: 5})
    assert shown_groups(tree, 5) == set(PARENTS)


def test_nothing_shown_below_the_threshold_in_total():
    assert shown_groups(_tree({21: 2, 31: 2}), 5) == set()


@settings(max_examples=300, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=0, max_value=12), min_size=5, max_size=5),
    minimum=st.integers(min_value=3, max_value=8),
)
def test_no_shown_group_minus_the_shown_groups_below_it_is_a_small_group(counts, minimum):
    own = dict(zip([21, 22, 23, 31, 32], counts, strict=True))
    tree = _tree(own)
    shown = shown_groups(tree, minimum)
    totals = tree.totals()
    assert all(totals[unit] >= minimum for unit in shown)
    for unit, rest in remainders(tree, shown).items():
        assert rest == 0 or rest >= minimum, (unit, rest, own)
