"""Every projects view per role and scope, export safety, and query counts that stay flat as the log grows."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import Status
from tests.conftest import ROLES
from tests.factories import InitiativeFactory, PdsaCycleFactory
from tests.queries import cold_queries


@pytest.fixture
def initiative(ward, qi_lead, sponsor):
    return InitiativeFactory(
        lead=qi_lead, sponsor=sponsor, wards=[ward], directorate=ward.directorate, status=Status.SUBMITTED
    )


def status_of(client, user, method, url, data=None):
    client.force_login(user)
    return (client.post(url, data or {}) if method == "post" else client.get(url)).status_code


# (view, method, {role: expected status})
MATRIX = [
    ("projects:portfolio", "get", dict.fromkeys(ROLES, 200)),
    ("initiative_detail", "get", dict.fromkeys(ROLES, 200)),
    ("projects:initiative_create", "get", {**dict.fromkeys(ROLES, 403), "qi_lead": 302, "admin_user": 302}),
    (
        "projects:review_queue",
        "get",
        {**dict.fromkeys(ROLES, 403), "sponsor": 200, "other_sponsor": 200, "trust_sponsor": 200, "admin_user": 200},
    ),
    (
        "review_detail",
        "get",
        {**dict.fromkeys(ROLES, 403), "sponsor": 200, "trust_sponsor": 200, "admin_user": 200},
    ),
    ("projects:approve", "get", {**dict.fromkeys(ROLES, 403), "sponsor": 200, "trust_sponsor": 200, "admin_user": 200}),
    ("projects:halt", "post", {**dict.fromkeys(ROLES, 403), "sponsor": 200, "trust_sponsor": 200, "admin_user": 200}),
    # Submitted for review: nobody edits the charter, so the sponsor approves what they read (issue 16, item 7).
    ("projects:initiative_edit", "get", dict.fromkeys(ROLES, 403)),
    ("projects:initiative_edit", "post", dict.fromkeys(ROLES, 403)),
]


@pytest.mark.parametrize(("view", "method", "expected"), MATRIX, ids=[f"{row[0]}-{row[1]}" for row in MATRIX])
@pytest.mark.parametrize("who", ROLES)
def test_view_permissions(client, request, initiative, view, method, expected, who):
    args = (
        [] if view in ("projects:portfolio", "projects:initiative_create", "projects:review_queue") else [initiative.pk]
    )
    # A halt with no reason re-shows the form (200) for those allowed; nothing changes for anyone.
    assert status_of(client, request.getfixturevalue(who), method, reverse(view, args=args)) == expected[who]
    initiative.refresh_from_db()
    assert initiative.status == Status.SUBMITTED


def test_drafts_are_hidden_from_everyone_but_their_team(client, staff, qi_lead, ward):
    draft = InitiativeFactory(lead=qi_lead, status=Status.DRAFT, wards=[ward], title="Secret draft")
    client.force_login(staff)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Secret draft" not in client.get(reverse("projects:portfolio")).content.decode()
    client.force_login(qi_lead)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_a_directorate_senior_manager_cannot_decide_on_another_directorate(client, other_sponsor, initiative):
    client.force_login(other_sponsor)
    assert client.post(reverse("projects:approve", args=[initiative.pk]), {"reason": "ok"}).status_code == 403
    assert initiative.title not in client.get(reverse("projects:review_queue")).content.decode()


def test_exports_neutralise_spreadsheet_formulas(client, staff, ward):
    InitiativeFactory(title='=HYPERLINK("http://x")', aim="+SUM(A1)", wards=[ward])
    client.force_login(staff)
    body = client.get(reverse("projects:portfolio"), {"export": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][1] == '\'=HYPERLINK("http://x")'
    assert rows[1][-1] == "'+SUM(A1)"
    workbook = load_workbook(io.BytesIO(client.get(reverse("projects:portfolio"), {"export": "xlsx"}).content))
    sheet = workbook.active
    assert sheet.cell(row=2, column=2).value == '\'=HYPERLINK("http://x")'
    assert sheet.cell(row=2, column=2).data_type == "s"


def test_filters_and_search(client, staff, ward, other_ward):
    InitiativeFactory(title="Falls prevention", wards=[ward], status=Status.LIVE)
    InitiativeFactory(title="Theatre start times", wards=[other_ward], status=Status.PAUSED)
    client.force_login(staff)
    page = client.get(reverse("projects:portfolio"), {"q": "falls"}).content.decode()
    assert "Falls prevention" in page and "Theatre start times" not in page
    page = client.get(reverse("projects:portfolio"), {"status": "paused"}).content.decode()
    assert "Theatre start times" in page and "Falls prevention" not in page
    page = client.get(reverse("projects:portfolio"), {"ward": other_ward.pk}).content.decode()
    assert "Theatre start times" in page and "Falls prevention" not in page


def _queries(client, url):
    with cold_queries() as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# Ceilings per page (issue 15): the header's counts are two queries, the filter form one per list of choices.
CEILING = {"projects:portfolio": 15, "projects:review_queue": 10, "initiative_detail": 24}


@pytest.mark.parametrize("page", ["projects:portfolio", "projects:review_queue", "initiative_detail"])
def test_query_counts_do_not_grow_with_the_number_of_initiatives(client, sponsor, ward, qi_lead, page):
    client.force_login(sponsor)
    target = InitiativeFactory(sponsor=sponsor, lead=qi_lead, wards=[ward], status=Status.LIVE)
    counts = []
    for batch in (10, 200):
        for initiative in InitiativeFactory.create_batch(batch, sponsor=sponsor, status=Status.SUBMITTED, wards=[ward]):
            PdsaCycleFactory(initiative=initiative, number=1)
        PdsaCycleFactory.create_batch(3, initiative=target)
        args = [target.pk] if page == "initiative_detail" else []
        counts.append(_queries(client, reverse(page, args=args)))
    assert counts[0] == counts[1], counts
    assert counts[1] <= CEILING[page], counts


def test_the_review_queue_counts_its_queue_once_for_the_header_and_its_pages(client, sponsor, ward):
    InitiativeFactory.create_batch(3, sponsor=sponsor, status=Status.SUBMITTED, wards=[ward])
    client.force_login(sponsor)
    with cold_queries() as captured:
        page = client.get(reverse("projects:review_queue")).content.decode()
    counts = [q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT") and "projects_initiative" in q["sql"]]
    assert len(counts) == 1, counts
    # The one count is both the header's number and the page's.
    assert '3<span class="nhsuk-u-visually-hidden"> to review</span>' in page
    assert "need a decision or a review: 3 in all." in page
