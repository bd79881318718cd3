from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ffit import selectors, services
from ffit.models import Audit
from qiportal.models import Role
from tests.factories import UserFactory, WardFactory, with_role
from tests.ffit.helpers import all_answers, answer_everything, audit_with_answers
from tests.queries import cold_queries

pytestmark = pytest.mark.django_db


def test_latest_readiness_uses_the_latest_closed_audit(ward, other_ward, ward_manager):
    old = audit_with_answers(ward, ward_manager, {ward_manager: all_answers(1)})
    Audit.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(days=30))
    latest = audit_with_answers(ward, ward_manager, {ward_manager: all_answers(4, managers=1)})
    services.open_audit(ward=ward, owner=ward_manager)  # open audits do not count
    found = selectors.latest_readiness([ward.pk, other_ward.pk])
    assert set(found) == {ward.pk}
    readiness = found[ward.pk]
    assert readiness.audit == latest
    assert readiness.closed_on == timezone.localdate()
    assert [row.name for row in readiness.weakest_sections] == ["Managers", "Front-line staff"]
    assert readiness.has_weak_section and [row.name for row in readiness.weak_sections] == ["Managers"]
    assert not readiness.is_stale


def test_an_audit_older_than_the_setting_is_stale(ward, ward_manager, settings):
    settings.QI = {**settings.QI, "FFIT_STALE_MONTHS": 6}
    audit = audit_with_answers(ward, ward_manager, {ward_manager: all_answers(4)})
    Audit.objects.filter(pk=audit.pk).update(closed_at=timezone.now() - timedelta(days=200))
    readiness = selectors.latest_readiness([ward.pk])[ward.pk]
    assert readiness.is_stale and readiness.needs_warning and not readiness.has_weak_section


def test_readiness_partial_warns_and_offers_an_audit_when_none(ward, other_ward, ward_manager):
    audit_with_answers(ward, ward_manager, {ward_manager: all_answers(4, resourcing=1)})
    html = render_to_string("ffit/_readiness.html", {"readiness_items": selectors.readiness_items([ward, other_ward])})
    assert "Oak Ward: readiness (FFIT)" in html
    assert "Readiness needs attention" in html
    assert "Below 40%: Resourcing (20%)." in html
    assert "Weakest: Resourcing (20%), Front-line staff (80%)." in html
    assert "Heron Ward has no readiness audit" in html
    assert f"{reverse('ffit:audit_open')}?ward={other_ward.pk}" in html


def test_a_ready_ward_has_no_warning(ward, ward_manager):
    audit_with_answers(ward, ward_manager, {ward_manager: all_answers(4)})
    html = render_to_string("ffit/_readiness.html", {"readiness_items": selectors.readiness_items([ward])})
    assert "Readiness needs attention" not in html
    assert "80%" in html


def test_audits_to_complete_lists_only_unsubmitted_open_invitations(ward, ward_manager, qi_lead):
    waiting = services.open_audit(ward=ward, owner=ward_manager, respondents=[qi_lead])
    done = services.open_audit(ward=ward, owner=ward_manager, respondents=[qi_lead])
    answer_everything(done.responses.get(respondent=qi_lead), all_answers(3))
    assert [response.audit for response in selectors.audits_to_complete(qi_lead)] == [waiting]
    counts = selectors.header_counts(qi_lead)
    assert {"invited": counts["invited"], "to_complete": counts["to_complete"]} == {"invited": 2, "to_complete": 1}


def _make_wards_with_audits(directorate, owner, count):
    wards = []
    for _ in range(count):
        ward = WardFactory(directorate=directorate)
        respondent = with_role(UserFactory(), Role.STAFF)
        audit_with_answers(ward, owner, {owner: all_answers(3), respondent: all_answers(2)})
        services.open_audit(ward=ward, owner=owner, respondents=[respondent])
        wards.append(ward)
    return wards


def test_latest_readiness_queries_stay_flat(directorate, qi_lead):
    counts = []
    for batch in (2, 8):
        wards = _make_wards_with_audits(directorate, qi_lead, batch)
        with cold_queries() as queries:
            found = selectors.latest_readiness(ward.pk for ward in wards)
            render_to_string("ffit/_readiness.html", {"readiness_items": [(w, found.get(w.pk)) for w in wards]})
        assert len(found) == batch
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_audit_list_queries_stay_flat(client, directorate, qi_lead):
    client.force_login(qi_lead)
    counts = []
    for batch in (2, 8):
        _make_wards_with_audits(directorate, qi_lead, batch)
        for ward in _make_wards_with_audits(directorate, with_role(UserFactory(), Role.QI_LEAD), batch):
            services.open_audit(ward=ward, owner=qi_lead, respondents=[qi_lead])
        with cold_queries() as queries:
            response = client.get(reverse("ffit:audit_list"))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_ward_history_queries_stay_flat(client, ward, ward_manager):
    client.force_login(ward_manager)
    counts = []
    for batch in (2, 8):
        for _ in range(batch):
            audit_with_answers(ward, ward_manager, {ward_manager: all_answers(3)})
        with cold_queries() as queries:
            client.get(reverse("ffit:ward_history", args=[ward.slug]))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_seed_demo_audits_are_idempotent_and_varied(db):
    from ffit.demo import seed_audits
    from qiportal.demo import seed_organisation

    users = seed_organisation(None)
    first = seed_audits(users)
    assert seed_audits(users) == first
    assert Audit.objects.count() == 6
    wards = {audit.ward.name: audit.ward_id for audit in first}
    found = selectors.latest_readiness(wards.values())
    assert not found[wards["Oak Ward"]].needs_warning
    assert [r.name for r in found[wards["Willow Ward"]].weak_sections] == ["Managers"]
    assert [r.name for r in found[wards["Surgical Assessment Unit"]].weak_sections] == ["Resourcing"]
    assert found[wards["Beech Ward"]].is_stale
    assert wards["Cedar Ward"] not in found  # still open
    amu = next(audit for audit in first if audit.ward.name == "Acute Medical Unit")
    assert selectors.audit_results(amu).disagreements
