"""Initiativitis: the ward load, opening and closing overload flags, and who is told."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from projects import jobs, services
from projects.models import Decision, LoadWeights, OverloadFlag, Scope
from projects.overload import ward_live_loads
from qiportal.models import Notification, NotificationKind
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db
NOW = "2026-11-25 09:00 +00:00"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def stored_load(ward):
    """The load a page shows: read from the ward's row as it is now."""
    ward.refresh_from_db()
    return ward_live_loads([ward])[ward.pk]


def overload_notes():
    return Notification.objects.filter(kind=NotificationKind.OVERLOAD)


def test_load_weights_ward_directorate_and_trust(ward, load_ward):
    load_ward(on_ward=2, directorate=1, trust=1)
    load = stored_load(ward)
    assert load.load == Decimal("2.75")
    assert load.live_initiative_count == 4
    assert load.summary == "Load 2.75 of 3 – within threshold"


def test_flag_opens_at_threshold_plus_a_quarter_not_at_threshold(
    ward, load_ward, ward_manager, sponsor, qi_lead, committed
):
    load_ward(on_ward=3)
    committed(jobs.scan_wards)
    assert stored_load(ward).load == Decimal("3")
    assert not OverloadFlag.objects.exists(), "a load equal to the threshold is not over it"
    load_ward(trust=1)
    committed(jobs.scan_wards)
    flag = OverloadFlag.objects.get()
    assert flag.ward == ward and flag.is_open
    assert flag.load_at_open == Decimal("3.25") and flag.threshold_at_open == 3
    assert {n.recipient for n in overload_notes()} == {ward_manager, sponsor, qi_lead}
    assert sorted(m.to[0] for m in mail.outbox if "threshold" in m.subject) == sorted(
        [ward_manager.email, sponsor.email, qi_lead.email]
    )


def test_two_runs_make_one_flag_and_one_notification_each(ward, load_ward, ward_manager, committed):
    load_ward(on_ward=4)
    committed(jobs.scan_wards)
    committed(jobs.scan_wards)
    assert OverloadFlag.objects.count() == 1
    assert overload_notes().filter(recipient=ward_manager).count() == 1
    assert len([m for m in mail.outbox if ward_manager.email in m.to]) == 1


def test_a_scan_opening_flags_on_three_wards_sends_each_person_one_email_listing_them(
    directorate, sponsor, qi_lead, committed
):
    from tests.factories import WardFactory

    wards = [WardFactory(directorate=directorate, name=f"{name} Ward", overload_threshold=1) for name in "ABC"]
    for ward in wards:
        InitiativeFactory.create_batch(2, directorate=directorate, sponsor=sponsor, wards=[ward], status="live")
    committed(jobs.scan_wards)
    assert OverloadFlag.objects.open().count() == 3
    for person in (sponsor, qi_lead):
        [email] = [m for m in mail.outbox if person.email in m.to]
        assert email.subject == "Ward overload (initiativitis) flags: 3 new"
        for ward in wards:
            assert f"{ward.name} is over its initiative threshold" in email.body
    mail.outbox.clear()
    committed(jobs.scan_wards)
    assert mail.outbox == [], "each flag is told once"


def test_admins_weights_and_thresholds_count(ward, load_ward):
    load_ward(directorate=4)
    jobs.scan_wards()
    assert not OverloadFlag.objects.exists()  # 4 × 0.5 = 2
    LoadWeights.objects.create(ward_weight=1, directorate_weight=1, trust_weight=Decimal("0.25"))
    jobs.scan_wards()
    assert OverloadFlag.objects.get().load_at_open == 4
    ward.overload_threshold = 5
    ward.save()
    result = jobs.scan_wards()
    flag = OverloadFlag.objects.get()
    assert not flag.is_open
    assert flag.close_cause == "Threshold raised to 5 (load 4)."
    assert "Closed the overload flag for Oak Ward" in " ".join(result.lines)


def test_halting_an_initiative_closes_the_flag_with_its_cause(
    ward, load_ward, sponsor, django_capture_on_commit_callbacks
):
    initiatives = load_ward(on_ward=4)
    jobs.scan_wards()
    assert OverloadFlag.objects.open().count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(
            initiative_id=initiatives[0].pk, kind=Decision.Kind.HALT, by=sponsor, reason="Too much on Oak Ward"
        )
    flag = OverloadFlag.objects.get()
    assert not flag.is_open
    assert flag.load_at_close == 3
    assert flag.close_cause == f"Load fell to 3 of 3 after ‘{initiatives[0].title}’ was halted."
    # History is kept: a new flag opens later, the closed one stays.
    load_ward(on_ward=1)
    jobs.scan_wards()
    assert OverloadFlag.objects.count() == 2
    assert OverloadFlag.objects.open().count() == 1
    assert flag.history.count() >= 2


def test_open_flag_cannot_be_duplicated_by_the_database(ward):
    from django.db import IntegrityError, transaction

    OverloadFlag.objects.create(ward=ward, load_at_open=4, threshold_at_open=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        OverloadFlag.objects.create(ward=ward, load_at_open=4, threshold_at_open=3)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_scans_make_one_flag_and_one_notification(ward, load_ward, ward_manager):
    load_ward(on_ward=4)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            jobs.scan_wards()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # SQLite serialises writers and may refuse one ("database is locked"); the guarantee under test is
    # that whatever interleaving happens, the constraint and dedupe keys leave exactly one of each.
    assert all("locked" in str(error) for error in errors), errors
    jobs.scan_wards()
    assert OverloadFlag.objects.count() == 1
    assert overload_notes().filter(recipient=ward_manager).count() == 1


def test_a_senior_manager_accepts_the_load_for_now(client, ward, load_ward, sponsor):
    load_ward(on_ward=4)
    jobs.scan_wards()
    flag = OverloadFlag.objects.get()
    client.force_login(sponsor)
    page = client.get(f"/overload-flags/{flag.pk}/")
    assert page.status_code == 200
    assert "Load 4 of 3 – over threshold" in page.content.decode()
    response = client.post(f"/overload-flags/{flag.pk}/", {"action": "accept", "reason": "", "review_on": ""})
    body = response.content.decode()
    assert "Enter your reason" in body and "Enter the date to review this decision" in body
    assert "Error: Overload flag" in body
    response = client.post(
        f"/overload-flags/{flag.pk}/",
        {"action": "accept", "reason": "Two finish next month", "review_on": "2026-12-20"},
        follow=True,
    )
    assert "You accepted the load on Oak Ward for now, to review on 20 December 2026." in response.content.decode()
    flag.refresh_from_db()
    assert flag.decision == "accepted" and flag.decided_by == sponsor and flag.is_open


def test_a_senior_manager_pauses_initiatives_and_the_flag_closes(
    client, ward, load_ward, sponsor, django_capture_on_commit_callbacks
):
    initiatives = load_ward(on_ward=4)
    jobs.scan_wards()
    flag = OverloadFlag.objects.get()
    client.force_login(sponsor)
    with django_capture_on_commit_callbacks(execute=True):  # the scan runs after the decisions commit
        response = client.post(
            f"/overload-flags/{flag.pk}/",
            {"action": "pause", "initiatives": [initiatives[0].pk, initiatives[1].pk], "reason": "Staff need time"},
            follow=True,
        )
    assert "You paused 2 initiatives." in response.content.decode()
    flag.refresh_from_db()
    assert flag.decision == "acted"
    assert not flag.is_open and flag.load_at_close == 2
    assert "was paused" in flag.close_cause


def test_only_senior_managers_over_the_ward_or_admins_decide(client, ward, load_ward, ward_manager, other_sponsor):
    load_ward(on_ward=4)
    jobs.scan_wards()
    flag = OverloadFlag.objects.get()
    client.force_login(ward_manager)
    page = client.get(f"/overload-flags/{flag.pk}/")
    assert page.status_code == 200 and "Record your decision" not in page.content.decode()
    assert client.post(f"/overload-flags/{flag.pk}/", {"action": "accept"}).status_code == 403
    client.force_login(other_sponsor)
    assert "Record your decision" not in client.get(f"/overload-flags/{flag.pk}/").content.decode()


def test_the_review_page_shows_each_wards_load(client, ward, load_ward, sponsor):
    initiatives = load_ward(on_ward=4)
    jobs.scan_wards()
    client.force_login(sponsor)
    body = client.get(f"/reviews/{initiatives[0].pk}/").content.decode()
    assert "Load 4 of 3 – over threshold" in body
    assert "Overload flag open" in body


def test_a_directorate_sponsor_is_not_offered_a_trust_wide_initiative_sponsored_by_someone_else(
    client, ward, load_ward, sponsor, trust_sponsor
):
    """Issue 16, item 1: the overload page asked no can_decide per initiative, so a directorate-scoped senior
    manager could halt a trust-wide initiative they may not decide on (GET /initiatives/<pk>/halt/ is 403)."""
    load_ward(on_ward=3)
    outside = InitiativeFactory(scope=Scope.TRUST, directorate=None, sponsor=trust_sponsor, wards=[])
    jobs.scan_wards()
    flag = OverloadFlag.objects.get()
    client.force_login(sponsor)
    assert client.get(f"/initiatives/{outside.pk}/halt/").status_code == 403
    page = client.get(f"/overload-flags/{flag.pk}/").content.decode()
    assert "Record your decision" in page and outside.title not in page
    response = client.post(
        f"/overload-flags/{flag.pk}/", {"action": "halt", "initiatives": [outside.pk], "reason": "Too much"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    outside.refresh_from_db()
    assert outside.status == "live"
    assert not Decision.objects.filter(initiative=outside).exists()


def test_the_overload_service_refuses_an_initiative_the_person_may_not_decide(ward, load_ward, sponsor, trust_sponsor):
    from django.core.exceptions import ValidationError

    load_ward(on_ward=4)
    outside = InitiativeFactory(scope=Scope.TRUST, directorate=None, sponsor=trust_sponsor, wards=[])
    jobs.scan_wards()
    flag = OverloadFlag.objects.get()
    with pytest.raises(ValidationError, match="that you may decide on"):
        services.act_on_overload(
            flag_id=flag.pk, by=sponsor, initiative_ids=[outside.pk], kind=Decision.Kind.HALT, reason="Too much"
        )
    outside.refresh_from_db()
    assert outside.status == "live"


def test_the_decision_service_asks_the_same_permission_question(ward, sponsor, trust_sponsor):
    from django.core.exceptions import PermissionDenied

    outside = InitiativeFactory(scope=Scope.TRUST, directorate=None, sponsor=trust_sponsor, wards=[])
    with pytest.raises(PermissionDenied):
        services.decide(initiative_id=outside.pk, kind=Decision.Kind.HALT, by=sponsor, reason="Too much")
    outside.refresh_from_db()
    assert outside.status == "live"


def test_the_close_cause_names_only_initiatives_whose_change_since_the_flag_opened_stands(ward, load_ward, sponsor):
    """Issue 17: an initiative paused and resumed while the flag was open changed nothing, so it is not the cause."""
    paused_and_back, halted, *_ = load_ward(on_ward=4)
    jobs.scan_wards()
    # Decisions without their after-commit rescans, as when the queue is down: the scheduled scan finds them all.
    services.decide(initiative_id=paused_and_back.pk, kind=Decision.Kind.PAUSE, by=sponsor, reason="Staff away")
    services.decide(initiative_id=paused_and_back.pk, kind=Decision.Kind.RESUME, by=sponsor)
    services.decide(initiative_id=halted.pk, kind=Decision.Kind.HALT, by=sponsor, reason="Too much on Oak Ward")
    jobs.scan_wards()
    flag = OverloadFlag.objects.get()
    assert not flag.is_open
    assert flag.close_cause == f"Load fell to 3 of 3 after ‘{halted.title}’ was halted."
    assert paused_and_back.title not in flag.close_cause


def test_a_closed_flag_keeps_the_load_accepted_and_its_reason(
    client, ward, load_ward, sponsor, django_capture_on_commit_callbacks
):
    """Issue 17: accepting the load and later pausing initiatives are both on the flag's record after it closes."""
    initiatives = load_ward(on_ward=4)
    jobs.scan_wards()
    flag = OverloadFlag.objects.get()
    services.accept_overload(flag_id=flag.pk, by=sponsor, reason="Two finish next month", review_on=date(2026, 12, 20))
    with time_machine.travel("2026-12-02 09:00 +00:00", tick=False), django_capture_on_commit_callbacks(execute=True):
        services.act_on_overload(
            flag_id=flag.pk, by=sponsor, initiative_ids=[initiatives[0].pk], kind="pause", reason="Staff need time"
        )
    flag.refresh_from_db()
    assert not flag.is_open
    client.force_login(sponsor)
    body = client.get(f"/overload-flags/{flag.pk}/").content.decode()
    accepted = (
        f"Accepted for now by {sponsor.display_name} on 25 November 2026: Two finish next month"
        " (review on 20 December 2026)"
    )
    acted = f"Initiatives paused or halted by {sponsor.display_name} on 2 December 2026: Staff need time"
    assert accepted in body and acted in body
    assert body.index(accepted) < body.index(acted)
    ward_page = client.get(ward.get_absolute_url()).content.decode()
    assert (
        "Decision: accepted for now – Two finish next month; then initiatives paused or halted – Staff need time"
        in (ward_page)
    )


def test_the_approve_page_shows_the_load_after_approval_and_the_flag_it_would_raise(client, ward, load_ward, sponsor):
    """Issue 17: Oak went from 3.5 to 4.5 on approval with nothing on the approve page to say so."""
    load_ward(on_ward=2, directorate=1)  # load 2.5 of 3
    proposal = InitiativeFactory(directorate=ward.directorate, sponsor=sponsor, wards=[ward], status="submitted")
    client.force_login(sponsor)
    body = client.get(f"/initiatives/{proposal.pk}/approve/").content.decode()
    assert "What this does to ward load" in body
    assert "load 2.5 now, <strong>3.5 after approval</strong>, of a threshold of 3." in body
    assert "Would raise an overload flag" in body and "Overload warning" in body
    review = client.get(f"/reviews/{proposal.pk}/").content.decode()
    assert "load 2.5 now, <strong>3.5 after approval</strong>, of a threshold of 3." in review


def test_the_approve_page_shows_the_open_flag_and_the_sponsor_decides_it_from_the_review_page(
    client, ward, load_ward, sponsor, other_sponsor
):
    load_ward(on_ward=3, directorate=1)  # load 3.5 of 3: flagged
    jobs.scan_wards()
    flag = OverloadFlag.objects.get()
    proposal = InitiativeFactory(directorate=ward.directorate, sponsor=sponsor, wards=[ward], status="submitted")
    client.force_login(sponsor)
    body = client.get(f"/initiatives/{proposal.pk}/approve/").content.decode()
    assert "load 3.5 now, <strong>4.5 after approval</strong>, of a threshold of 3." in body
    assert "Overload flag open" in body and "no decision yet" in body
    assert "Would raise an overload flag" not in body
    decide_link = f'<a href="/overload-flags/{flag.pk}/">Decide on the overload flag for {ward.name}</a>'
    assert decide_link in body
    review = client.get(f"/reviews/{proposal.pk}/").content.decode()
    assert decide_link in review
    # The link leads to the flag page, which asks the same question before offering the decision.
    assert "Record your decision" in client.get(f"/overload-flags/{flag.pk}/").content.decode()
    # A sponsor of the proposal who does not oversee the ward is shown the flag, not offered the decision.
    proposal.sponsor = other_sponsor
    proposal.save()
    client.force_login(other_sponsor)
    review = client.get(f"/reviews/{proposal.pk}/").content.decode()
    assert "Decide on the overload flag" not in review
    assert (
        f"See the overload flag for {ward.name}</a> (a senior manager over {ward.directorate} decides on it)" in review
    )
    assert "Record your decision" not in client.get(f"/overload-flags/{flag.pk}/").content.decode()


def test_a_flags_page_shows_its_decisions_whether_or_not_it_is_among_the_wards_latest_flags(
    client, ward, load_ward, sponsor
):
    """The page takes the ward's load and the flag's decisions from the ward's flag history (its twenty newest); an
    older flag's decisions are read on their own."""
    load_ward(on_ward=4)
    jobs.scan_wards()
    first = OverloadFlag.objects.get()
    services.accept_overload(flag_id=first.pk, by=sponsor, reason="Winter pressures", review_on=date(2027, 1, 4))
    client.force_login(sponsor)
    page = client.get(f"/overload-flags/{first.pk}/").content.decode()
    assert "Accepted for now by" in page and "Winter pressures (review on 4 January 2027)" in page
    assert "Overload flag open</strong> since" in page  # the load's open flag, from the same history
    # Twenty newer (closed) flags push it out of the ward's history: its page still shows its decision.
    OverloadFlag.objects.filter(pk=first.pk).update(
        closed_at=timezone.now(), opened_at=timezone.now() - timedelta(days=400)
    )
    OverloadFlag.objects.bulk_create(
        OverloadFlag(ward=ward, load_at_open=4, threshold_at_open=3, closed_at=timezone.now()) for _ in range(20)
    )
    page = client.get(f"/overload-flags/{first.pk}/").content.decode()
    assert "Winter pressures (review on 4 January 2027)" in page
    assert "Overload flag open</strong>" not in page  # closed now, as the history says
