"""The dashboard, the ward page and every role's home run the same number of queries however much data there is."""

import pytest
from django.urls import reverse

from tests.queries import cold_queries

HOMES = ["staff", "ward_manager", "qi_lead", "sponsor", "coach", "admin_user"]
# The most queries each page may run (on the larger of the two data sizes); a new query must be argued for here.
CEILING = {"dashboard": 27, "chart": 9, "ward": 29, "home": 29}


def queries_for(client, url) -> int:
    with cold_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def counts_as_data_grows(client, grow, url) -> list[int]:
    counts = []
    for batch in (1, 4):
        grow(batch)
        counts.append(queries_for(client, url))
    return counts


@pytest.mark.parametrize("who", ["sponsor", "qi_lead", "trust_sponsor"])
def test_dashboard_queries_stay_flat(client, request, grow, who):
    client.force_login(request.getfixturevalue(who))
    counts = counts_as_data_grows(client, grow, reverse("dashboard"))
    assert counts[0] == counts[1], counts
    assert counts[1] <= CEILING["dashboard"], counts


def test_dashboard_chart_queries_stay_flat(client, grow, qi_lead):
    client.force_login(qi_lead)
    for kind in ("status", "priority", "progress"):
        url = reverse("dashboard_chart", args=[kind])
        counts = counts_as_data_grows(client, grow, url)
        assert counts[0] == counts[1], (kind, counts)
        assert counts[1] <= CEILING["chart"], (kind, counts)


def test_ward_page_queries_stay_flat(client, grow, staff, ward):
    client.force_login(staff)
    counts = counts_as_data_grows(client, grow, ward.get_absolute_url())
    assert counts[0] == counts[1], counts
    assert counts[1] <= CEILING["ward"], counts


@pytest.mark.parametrize("who", HOMES)
def test_each_home_queries_stay_flat(client, request, grow, who, ward):
    user = request.getfixturevalue(who)
    user.wards.add(ward)
    client.force_login(user)
    counts = counts_as_data_grows(client, grow, reverse("home"))
    assert counts[0] == counts[1], counts
    assert counts[1] <= CEILING["home"], (who, counts)
