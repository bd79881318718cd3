import pytest
from django.utils import timezone

from excellence import services
from excellence.models import Theme
from qiportal.models import Role
from tests.factories import UserFactory, with_role


@pytest.fixture
def theme(db):
    return Theme.objects.create(name="Compassion", kind=Theme.Kind.VALUE)


@pytest.fixture
def colleague(ward, ward_manager):
    """A healthcare assistant on Oak Ward whose line manager is the ward manager."""
    user = UserFactory(username="hcaperson", first_name="Megan", last_name="Clarke", job_title="Healthcare assistant")
    user.line_manager = ward_manager
    user.save(update_fields=["line_manager"])
    user.wards.add(ward)
    return with_role(user, Role.STAFF)


@pytest.fixture
def outsider(other_ward):
    user = UserFactory(username="outsider", first_name="Olive", last_name="Outside", job_title="Porter")
    user.wards.add(other_ward)
    return with_role(user, Role.STAFF)


@pytest.fixture
def make_report(staff, ward, colleague):
    def _make(**overrides):
        fields = {
            "reporter": staff,
            "ward": ward,
            "recipients": [colleague],
            "happened_on": timezone.localdate(),
            "what_happened": "Stayed late to settle a frightened patient.",
            "why_excellent": "Calm and kind when the bay was busy.",
            "difference_made": "The patient slept well.",
            "notify_people": False,
        }
        fields.update(overrides)
        return services.submit_report(**fields)

    return _make
