import pytest

from projects.models import Scope
from tests.factories import InitiativeFactory


@pytest.fixture
def load_ward(ward, sponsor):
    """Add live initiatives touching `ward`: load_ward(on_ward=3, directorate=0, trust=1)."""

    def add(on_ward: int = 0, directorate: int = 0, trust: int = 0, **extra):
        made = []
        for _ in range(on_ward):
            made.append(InitiativeFactory(directorate=ward.directorate, sponsor=sponsor, wards=[ward], **extra))
        for _ in range(directorate):
            made.append(
                InitiativeFactory(
                    scope=Scope.DIRECTORATE, directorate=ward.directorate, sponsor=sponsor, wards=[], **extra
                )
            )
        for _ in range(trust):
            made.append(InitiativeFactory(scope=Scope.TRUST, directorate=None, sponsor=sponsor, wards=[], **extra))
        return made

    return add


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """committed(job, **kwargs): run a job and its after-commit work (emails), as in production."""

    def run(job, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return job(**kwargs)

    return run
