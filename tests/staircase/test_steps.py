from staircase.steps import step_explained, step_reached

CRITERIA = [(1, 1), (2, 1), (3, 2), (4, 3), (5, 3), (6, 5)]  # (id, step); step 4 has none


def test_no_criteria_met_is_step_zero():
    assert step_reached(criteria=CRITERIA, met=[]) == 0


def test_the_step_reached_needs_every_lower_step_complete():
    # Step 3 complete, but step 2 is not: the climb stops at step 1.
    assert step_reached(criteria=CRITERIA, met=[1, 2, 4, 5]) == 1


def test_a_step_without_criteria_neither_blocks_nor_counts():
    assert step_reached(criteria=CRITERIA, met=[1, 2, 3, 4, 5]) == 3
    assert step_reached(criteria=CRITERIA, met=[1, 2, 3, 4, 5, 6]) == 5


def test_the_explanation_says_where_the_climb_stopped_and_what_waits_above():
    explained = step_explained(criteria=CRITERIA, met=[1, 2, 4, 5, 6])
    assert explained.reached == 1
    assert explained.stopped_at.step == 2
    assert explained.stopped_at.missing == [3]
    step_three = explained.lines[2]
    assert step_three.complete and step_three.blocked_below and not step_three.reached
