"""The portfolio's rows draw each status as the shared status tag does (inlined for speed, issue 15)."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from projects.models import Status
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", Status.values)
def test_each_row_shows_the_same_status_tag_as_the_shared_template(client, sponsor, qi_lead, ward, status):
    initiative = InitiativeFactory(sponsor=sponsor, lead=qi_lead, wards=[ward], status=status)
    client.force_login(qi_lead)
    page = client.get(reverse("projects:portfolio")).content.decode()
    tag = render_to_string(
        "projects/_status_tag.html", {"status": status, "label": initiative.get_status_display()}
    ).strip()
    row = page[page.index(f'href="{initiative.get_absolute_url()}"') :]
    assert tag in row[: row.index("</tr>")]
