"""The NHS.UK frame every page shares, the home page per role and the error pages."""

import gzip

import pytest
from django.test import override_settings
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

ROLES = ["staff", "ward_manager", "qi_lead", "sponsor", "coach", "admin_user"]


@pytest.mark.parametrize("who", ROLES)
def test_home_shows_who_you_are_and_your_wards(client, request, who, ward):
    user = request.getfixturevalue(who)
    user.wards.add(ward)
    client.force_login(user)
    response = client.get(reverse("home"))
    assertContains(response, f"Hello, {user.first_name}")
    assertContains(response, user.primary_role_label)
    assertContains(response, ward.get_absolute_url())
    assertContains(response, "Skip to main content")
    assertContains(response, "holds no patient-identifiable information")
    assertContains(response, 'class="nhsuk-header"')


def test_admin_link_only_for_admins(client, staff, admin_user):
    client.force_login(staff)
    assertNotContains(client.get("/"), reverse("admin:index"))
    client.force_login(admin_user)
    assertContains(client.get("/"), reverse("admin:index"))
    assert client.get(reverse("admin:qiportal_ward_changelist")).status_code == 200


def test_staff_cannot_reach_django_admin(client, staff):
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 302


def test_ward_page_names_its_manager(client, staff, ward, ward_manager):
    client.force_login(staff)
    response = client.get(ward.get_absolute_url())
    assertContains(response, ward.name)
    assertContains(response, ward_manager.display_name)


def test_unknown_page_is_an_nhs_style_404(client, staff):
    client.force_login(staff)
    response = client.get("/wards/no-such-ward/")
    assertContains(response, "Page not found", status_code=404)
    assertContains(response, "nhsuk-header", status_code=404)


def test_server_error_page(db):
    from django.test import Client

    from qiportal import views

    client = Client(raise_request_exception=False)
    with override_settings(ROOT_URLCONF="tests.qiportal.error_urls"):
        response = client.get("/boom/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
    assert views.server_error  # the handler named in qiportal.urls


def test_security_headers_on_every_page(client, staff):
    client.force_login(staff)
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_are_compressed_for_browsers_that_accept_it_and_read_the_same(client, staff):
    client.force_login(staff)
    plain = client.get(reverse("home"))
    packed = client.get(reverse("home"), headers={"accept-encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain and packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content) / 2
    assert gzip.decompress(packed.content).decode().count('class="nhsuk-header"') == 1
    assert f"Hello, {staff.first_name}" in gzip.decompress(packed.content).decode()


def test_choice_lists_are_read_with_one_plain_query_each(client, qi_lead, ward):
    """A form's choice list is read with QuerySet.iterator(); on PostgreSQL that declared a server-side cursor (three
    round trips, materialised by the server anyway outside a transaction) for each list of the log's filter form."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("server-side cursors exist on PostgreSQL only; CI runs this test there")
    client.force_login(qi_lead)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("projects:portfolio"))
    assert ward.name in page.content.decode()  # the ward list was read and written out
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("DECLARE")]
