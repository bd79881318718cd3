"""Every list shows an initiative's status as an NHS.UK tag: its words, and a colour that only repeats them."""

import pytest
from django.urls import reverse

from projects.models import Status
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

COLOURS = {
    "draft": "grey",
    "submitted": "blue",
    "changes_requested": "yellow",
    "live": "green",
    "paused": "orange",
    "completed": "purple",
    "halted": "red",
    "not_approved": "red",
}


def test_every_status_has_its_colour_here():
    assert set(COLOURS) == set(Status.values)


@pytest.mark.parametrize("status", Status.values)
def test_each_portfolio_row_shows_its_status_in_words_and_colour(client, sponsor, qi_lead, ward, status):
    initiative = InitiativeFactory(sponsor=sponsor, lead=qi_lead, wards=[ward], status=status)
    client.force_login(qi_lead)
    page = client.get(reverse("projects:portfolio")).content.decode()
    row = page[page.index(f'href="{initiative.get_absolute_url()}"') :]
    tag = f'<strong class="nhsuk-tag nhsuk-tag--{COLOURS[status]}">{initiative.get_status_display()}</strong>'
    assert tag in row[: row.index("</tr>")]


def test_the_dashboard_tables_and_the_ward_page_show_the_same_tag(client, sponsor, qi_lead, ward):
    initiative = InitiativeFactory(sponsor=sponsor, lead=qi_lead, wards=[ward], status="live", is_stalled=True)
    client.force_login(sponsor)
    tag = '<strong class="nhsuk-tag nhsuk-tag--green">Live</strong>'
    for url in (reverse("dashboard"), ward.get_absolute_url()):
        page = client.get(url).content.decode()
        row = page[page.index(f'href="{initiative.get_absolute_url()}"') :]
        assert tag in row[: row.index("</tr>")], url
