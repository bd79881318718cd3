"""Issue 17: one definition of "flagged". /reviews/ said "Nothing is flagged" while the sponsor's home and the
review page showed Oak Ward's open overload flag; the queue, its count on the home page and the header's count
now all ask projects.selectors.flagged()."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import jobs
from projects.models import OverloadFlag, Scope, Status
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db


def flagged_section(page: str) -> str:
    return page.split('id="flagged"', 1)[1].split("</table>", 1)[0] if 'id="flagged"' in page else ""


def nav_review_count(page: str) -> int:
    found = re.search(r'href="/reviews/".*?<span class="app-nav-count">(\d+)', page, re.S)
    return int(found.group(1)) if found else 0


@pytest.fixture
def overloaded_oak(ward, other_ward, sponsor):
    """Oak Ward with four live initiatives over its threshold of three, and a quiet one on Heron Ward. Reviews are
    months away, so nothing is in the queue for being due."""
    on_oak = [
        InitiativeFactory(sponsor=sponsor, wards=[ward], directorate=ward.directorate, title=f"Oak project {n}")
        for n in range(1, 4)
    ]
    directorate_wide = InitiativeFactory(
        sponsor=sponsor, scope=Scope.DIRECTORATE, directorate=ward.directorate, wards=[], title="Medicine-wide audit"
    )
    InitiativeFactory(sponsor=sponsor, wards=[other_ward], directorate=other_ward.directorate, title="Heron project")
    jobs.scan_wards(notify_people=False)
    assert OverloadFlag.objects.open().get().ward == ward
    return [*on_oak, directorate_wide]


def test_the_review_queue_lists_initiatives_on_an_overloaded_ward_as_flagged(client, sponsor, overloaded_oak):
    client.force_login(sponsor)
    page = client.get("/reviews/").content.decode()
    section = flagged_section(page)
    assert "Flagged or stalled (4)" in page
    assert "Nothing is flagged" not in page
    for initiative in overloaded_oak:
        assert initiative.title in section
    assert "Heron project" not in page  # its ward is within its threshold
    assert 'Adds to the load of <a href="/wards/oak-ward/">Oak Ward</a>, over its initiative threshold' in section


def test_home_queue_and_header_count_the_same_flagged_initiatives(client, sponsor, overloaded_oak):
    client.force_login(sponsor)
    home = client.get("/").content.decode()
    assert "4 initiatives to review: 0 submitted, 0 reviews overdue, 0 due this week, 4 flagged or stalled." in home
    assert "Oak Ward" in home  # the open flag on the wards they oversee
    assert nav_review_count(home) == 4
    queue = client.get("/reviews/").content.decode()
    assert "Flagged or stalled (4)" in queue and nav_review_count(queue) == 4


def test_a_directorate_wide_initiatives_review_page_names_the_overloaded_ward(client, sponsor, overloaded_oak):
    client.force_login(sponsor)
    directorate_wide = overloaded_oak[-1]
    page = client.get(f"/reviews/{directorate_wide.pk}/").content.decode()
    assert "Overload flag open" in page
    assert 'adds to the load of <a href="/wards/oak-ward/">Oak Ward</a>' in page.replace("It adds", "it adds")


def test_nothing_is_flagged_once_the_flag_closes(client, sponsor, overloaded_oak):
    from projects import services

    services.decide(initiative_id=overloaded_oak[0].pk, kind="halt", by=sponsor, reason="Merged into another")
    jobs.scan_wards(notify_people=False)
    assert not OverloadFlag.objects.open().exists()
    client.force_login(sponsor)
    page = client.get("/reviews/").content.decode()
    assert "Flagged or stalled (0)" in page
    assert nav_review_count(page) == 0


def test_a_paused_initiative_on_the_ward_is_not_flagged(client, sponsor, overloaded_oak):
    paused = InitiativeFactory(sponsor=sponsor, wards=overloaded_oak[0].wards.all(), status=Status.PAUSED)
    client.force_login(sponsor)
    assert paused.title not in client.get("/reviews/").content.decode()  # paused work adds nothing to the load


def test_the_queue_runs_the_same_queries_however_many_are_flagged(client, sponsor, ward, overloaded_oak):
    client.force_login(sponsor)
    client.get("/reviews/")
    with CaptureQueriesContext(connection) as few:
        client.get("/reviews/")
    for n in range(10):
        InitiativeFactory(sponsor=sponsor, wards=[ward], directorate=ward.directorate, title=f"More {n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/reviews/").content.decode()
    assert "Flagged or stalled (14)" in page
    assert len(many) == len(few)


def stored_marks_agree_with_the_open_flags() -> bool:
    """The stored column against the rule it stores, worked out afresh from the open flags."""
    from projects.models import Initiative
    from projects.overload import touches_overloaded_ward

    stored = set(Initiative.objects.filter(on_overloaded_ward=True).values_list("pk", flat=True))
    return stored == set(Initiative.objects.filter(touches_overloaded_ward()).values_list("pk", flat=True))


def test_each_change_that_moves_an_initiative_on_or_off_a_flagged_ward_shows_at_once(
    client, sponsor, qi_lead, ward, other_ward, overloaded_oak
):
    """The queue and the header read a stored mark: every path that changes the truth keeps it in the same
    transaction, so the next page is right without waiting for a scan."""
    from projects import services

    client.force_login(sponsor)
    oak = overloaded_oak[0]

    def shown() -> tuple[int, bool]:
        page = client.get("/reviews/").content.decode()
        assert stored_marks_agree_with_the_open_flags()
        return nav_review_count(page), oak.title in flagged_section(page)

    assert shown() == (4, True)
    services.decide(initiative_id=oak.pk, kind="pause", by=sponsor, reason="Staff on leave")
    assert shown() == (3, False)  # paused work adds nothing to the load (the flag stays open until the scan)
    services.decide(initiative_id=oak.pk, kind="resume", by=sponsor, reason="Staff back")
    assert shown() == (4, True)
    services.update_charter(initiative_id=oak.pk, by=oak.lead, wards=[other_ward])  # moved to Heron Ward
    assert shown() == (3, False)
    services.update_charter(initiative_id=oak.pk, by=oak.lead, wards=[ward])
    assert shown() == (4, True)


def test_the_scan_marks_and_clears_with_the_flags_and_repairs_drift(client, sponsor, overloaded_oak):
    from projects import services
    from projects.models import Initiative

    services.decide(initiative_id=overloaded_oak[0].pk, kind="halt", by=sponsor, reason="Merged into another")
    jobs.scan_wards(notify_people=False)  # Oak is within its threshold again: the flag closes
    assert not Initiative.objects.filter(on_overloaded_ward=True).exists()
    Initiative.objects.filter(pk=overloaded_oak[1].pk).update(on_overloaded_ward=True)  # a hand edit
    result = jobs.scan_wards(notify_people=False)
    assert "Repaired the overloaded-ward mark of 1 initiative." in result.lines
    assert stored_marks_agree_with_the_open_flags()
    client.force_login(sponsor)
    assert nav_review_count(client.get("/reviews/").content.decode()) == 0


def test_a_row_names_three_overloaded_wards_and_links_the_rest_to_the_review_page(client, sponsor, ward, directorate):
    """A trust-wide initiative can weigh on every flagged ward of the trust: its queue row names three and counts
    the others, and its review page names them all."""
    from tests.factories import WardFactory

    Ward = type(ward)
    for name in ("Ash Ward", "Beech Ward", "Cedar Ward", "Elm Ward"):
        WardFactory(name=name, directorate=directorate)
    Ward.objects.update(overload_threshold=0.1)  # one trust-wide initiative (weight 0.25) is too many anywhere
    trust_wide = InitiativeFactory(sponsor=sponsor, scope=Scope.TRUST, directorate=None, wards=[], title="Trust audit")
    jobs.scan_wards(notify_people=False)
    assert OverloadFlag.objects.open().count() == 5
    client.force_login(sponsor)
    row = flagged_section(client.get("/reviews/").content.decode())
    assert (
        'Adds to the load of <a href="/wards/ash-ward/">Ash Ward</a>, <a href="/wards/beech-ward/">Beech Ward</a>, '
        '<a href="/wards/cedar-ward/">Cedar Ward</a> and '
        f'<a href="/reviews/{trust_wide.pk}/#overloaded-wards">2 more wards</a>, over their initiative threshold'
    ) in row
    review = client.get(f"/reviews/{trust_wide.pk}/").content.decode()
    named = re.search(r'id="overloaded-wards".*?</p>', review, re.S).group(0)
    assert re.findall(r">(\w+ Ward)</a>", named) == ["Ash Ward", "Beech Ward", "Cedar Ward", "Elm Ward", "Oak Ward"]
    assert '<a href="/wards/elm-ward/">Elm Ward</a> and <a href="/wards/oak-ward/">Oak Ward</a>, over their' in named


def test_an_overdue_initiative_on_an_overloaded_ward_shows_in_full_in_both_groups(client, sponsor, overloaded_oak):
    from datetime import timedelta

    from django.utils import timezone

    from projects.models import Initiative

    oak = overloaded_oak[0]
    Initiative.objects.filter(pk=oak.pk).update(next_review_on=timezone.localdate() - timedelta(days=3))
    client.force_login(sponsor)
    page = client.get("/reviews/").content.decode()
    overdue = page.split('id="overdue"', 1)[1].split("</table>", 1)[0]
    for section in (overdue, flagged_section(page)):
        row = section.split(f'<a href="/reviews/{oak.pk}/">{oak.title}</a>', 1)[1].split("</tr>", 1)[0]
        assert 'Adds to the load of <a href="/wards/oak-ward/">Oak Ward</a>, over its initiative threshold' in row
        assert "Oak Ward</td>" in row.replace("\n", "")
