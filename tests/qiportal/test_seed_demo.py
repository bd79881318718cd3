from django.core.management import call_command
from django.urls import reverse

from qiportal.models import Directorate, Role, RoleAssignment, StrategicPriority, User, Ward

DEMO_LOGINS = {
    "qilead": Role.QI_LEAD,
    "sponsor": Role.SENIOR_MANAGER,
    "wardmanager": Role.WARD_MANAGER,
    "staff": Role.STAFF,
    "coach": Role.QI_COACH,
    "admin": Role.ADMIN,
}
CASE_STUDY_WARDS = {
    "Premton General Hospital": {"Acute Medical Unit", "Surgical Assessment Unit", "Kingfisher Ward"},
    "Middleswick Hospital": {"Oak Ward", "Willow Ward"},
    "Upsworth Infirmary": {"Beech Ward", "Cedar Ward"},
}


def counts():
    return {m.__name__: m.objects.count() for m in (User, Ward, Directorate, StrategicPriority, RoleAssignment)}


def test_seed_demo_builds_the_trust_and_is_idempotent(db, client):
    call_command("seed_demo", password="demo-pass-123")
    first = counts()
    call_command("seed_demo", password="demo-pass-123")
    assert counts() == first

    assert first["Directorate"] == 3
    assert first["Ward"] >= 12
    assert list(StrategicPriority.objects.values_list("name", flat=True)) == [
        "Population health",
        "Service user experience",
        "Staff experience",
        "Value",
    ]
    for site, wards in CASE_STUDY_WARDS.items():
        assert wards <= set(Ward.objects.filter(site=site).values_list("name", flat=True))
    for username, role in DEMO_LOGINS.items():
        user = User.objects.get(username=username)
        assert user.has_role(role), username
        response = client.post(reverse("login"), {"username": username, "password": "demo-pass-123"})
        assert response.status_code == 302, username
        client.post(reverse("logout"))
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="staff").line_manager.username == "wardmanager"
    # Every ward names a manager.
    managed = set(RoleAssignment.objects.filter(role=Role.WARD_MANAGER).values_list("ward", flat=True))
    assert managed == set(Ward.objects.values_list("pk", flat=True))


def test_demo_users_do_not_exist_until_the_command_runs(db):
    assert not User.objects.filter(username__in=DEMO_LOGINS).exists()
