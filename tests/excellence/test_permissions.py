"""The Excellence rules in qiportal/permissions.py agree with ExcellenceReport.objects.visible_to, role by role."""

import pytest

from excellence.models import ExcellenceReport
from qiportal import permissions

ROLES = [
    "staff",
    "colleague",
    "ward_manager",
    "qi_lead",
    "sponsor",
    "trust_sponsor",
    "admin_user",
    "other_sponsor",
    "other_ward_manager",
    "coach",
    "outsider",
]


@pytest.mark.parametrize("role", ROLES)
def test_can_view_matches_visible_to(request, make_report, role):
    report = make_report()
    user = request.getfixturevalue(role)
    visible = ExcellenceReport.objects.visible_to(user).filter(pk=report.pk).exists()
    assert permissions.can_view_excellence_report(user, report) is visible


@pytest.mark.parametrize(
    ("role", "record", "start", "export"),
    [
        ("ward_manager", True, False, False),
        ("qi_lead", True, True, True),
        ("admin_user", False, False, True),
        ("sponsor", False, False, False),
        ("staff", False, False, False),
        ("colleague", False, False, False),
    ],
)
def test_who_records_starts_and_exports(request, make_report, role, record, start, export):
    report = make_report()
    user = request.getfixturevalue(role)
    assert permissions.can_record_excellence_conversation(user, report) is record
    assert permissions.can_start_initiative_from_excellence(user, report) is start
    assert permissions.can_export_excellence(user) is export
    assert permissions.can_mark_excellence_learning_shared(user, report) is False  # no conversation yet
