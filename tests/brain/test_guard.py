from interviewer.brain.guard import leaks


def test_naming_an_uncovered_cue_leaks_unless_the_candidate_said_it() -> None:
    assert leaks("Would you use calibration here?", forbidden=["calibrat*"], hidden_facts=[])
    assert not leaks("Would you use calibration here?", forbidden=["calibrat*"], hidden_facts=[], said="calibrated")
    assert not leaks("What would you do next?", forbidden=["calibrat*"], hidden_facts=[])


def test_stating_a_hidden_fact_leaks_by_figure_or_by_wording() -> None:
    fact = "The ad ranking service has 50 ms at p99 for the whole request."
    assert leaks("Given 50 ms, what fits?", forbidden=[], hidden_facts=[fact])
    assert leaks("Since the ad ranking service has a budget, what fits?", forbidden=[], hidden_facts=[fact])
    assert not leaks("Given 50 ms, what fits?", forbidden=[], hidden_facts=[fact], said="I assume 50 ms.")
    assert not leaks("How fast must it be?", forbidden=[], hidden_facts=[fact])
