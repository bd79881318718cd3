"""The status sets every rule asks about come from the lifecycle's transition table."""

import doctest

from projects import lifecycle
from projects.models import Decision, Initiative, Status


def test_the_lifecycle_examples_hold():
    assert doctest.testmod(lifecycle).failed == 0


def test_ended_statuses_are_those_no_decision_leads_out_of():
    assert set(lifecycle.ENDED) == {Status.COMPLETED, Status.HALTED, Status.NOT_APPROVED}
    for status in lifecycle.ENDED:
        assert not [kind for kind, t in lifecycle.TRANSITIONS.items() if status in t.sources]


def test_the_model_choices_and_decision_kinds_are_the_lifecycle_names():
    assert set(Status.values) == set(lifecycle.STATUSES)
    assert set(Decision.Kind.values) == set(lifecycle.TRANSITIONS)
    assert lifecycle.TRANSITIONS["halt"].sources == Initiative.HALTABLE


def test_lifecycle_is_pure_python():
    import subprocess
    import sys

    code = "import sys, projects.lifecycle; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
