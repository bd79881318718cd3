"""seed_scale builds the trust-sized data set the benchmarks run on; here at a hundredth of the size."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from bench import scale
from excellence.models import ExcellenceReport
from ffit.models import Audit, Response
from projects.models import Initiative, PdsaCycle, Status
from qiportal.models import Directorate, Role, User, Ward
from runcharts.models import DataPoint, Measure
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_small_scale_trust_has_the_planned_counts(client):
    call_command("seed_scale", scale=0.01, password="scale-test-password", stdout=io.StringIO())
    planned = scale.plan(0.01)
    assert planned["wards"] >= 4 and planned["initiatives"] == 50 and planned["data_points"] == 1000
    assert Directorate.objects.count() == planned["directorates"]
    assert Ward.objects.count() == planned["wards"]
    assert User.objects.count() == planned["users"]
    assert Initiative.objects.count() == planned["initiatives"]
    assert set(Initiative.objects.values_list("status", flat=True)) >= {Status.LIVE, Status.COMPLETED, Status.HALTED}
    assert PdsaCycle.objects.count() == planned["pdsa_cycles"]
    assert Measure.objects.count() == planned["measures"]
    assert DataPoint.objects.count() == planned["data_points"]
    assert Audit.objects.count() == planned["audits"]
    assert Response.objects.filter(submitted_at__isnull=False).count() >= planned["audits"]
    assert ExcellenceReport.objects.count() == planned["excellence_reports"]
    # Everyone has a role, and the admin it names can sign in and use the pages.
    assert not User.objects.filter(roles__isnull=True).exists()
    admin = User.objects.filter(roles__role=Role.ADMIN).first()
    assert admin.check_password("scale-test-password")
    client.force_login(admin)
    assert client.get(reverse("projects:portfolio")).status_code == 200
    assert client.get(reverse("projects:review_queue")).status_code == 200
    assert client.get(reverse("excellence:report_list")).status_code == 200


def test_it_refuses_a_database_with_other_data_unless_forced():
    UserFactory(username="realperson")
    with pytest.raises(CommandError, match="did not create"):
        call_command("seed_scale", scale=0.01)
    assert not Initiative.objects.exists()
    call_command("seed_scale", scale=0.01, force=True, stdout=io.StringIO())
    assert Initiative.objects.count() == 50


def test_a_second_run_adds_a_second_trust_without_collisions():
    for _ in range(2):
        call_command("seed_scale", scale=0.01, stdout=io.StringIO())
    assert Ward.objects.count() == 2 * scale.plan(0.01)["wards"]
