"""Reporting excellence: the form, the patient-details guard and delivery to recipients and managers."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from excellence import services
from excellence.models import Conversation, ExcellenceReport, RecipientResponse, Theme
from qiportal.models import Notification, NotificationKind


def _form_data(ward, **overrides):
    data = {
        "ward": ward.pk,
        "happened_on": timezone.localdate().isoformat(),
        "what_happened": "Stayed after a long shift to settle a frightened patient.",
        "why_excellent": "Calm and kind when the bay was busy.",
        "difference_made": "The patient slept and the family were grateful.",
        "organisation_learning": "Protected time for reassurance at night.",
        "share": "yes",
    }
    data.update(overrides)
    return data


def test_the_form_says_no_patient_details(client, staff):
    client.force_login(staff)
    response = client.get(reverse("excellence:report_create"))
    assertContains(response, "nhsuk-warning-callout")
    assertContains(response, "Do not include any patient details")


def test_staff_report_a_colleague_and_everyone_is_told(
    client, staff, colleague, ward_manager, ward, theme, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    data = _form_data(ward, recipients=[colleague.pk], tags=[theme.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("excellence:report_create"), data, follow=True)
    assertContains(response, "Report sent")
    report = ExcellenceReport.objects.get()
    assert list(report.recipients.all()) == [colleague]
    assert list(report.tags.all()) == [theme]
    assert report.reporter_agrees_to_share and not report.is_shared
    by_address = {m.to[0]: m for m in mailoutbox}
    assert set(by_address) == {colleague.email, ward_manager.email, staff.email}
    assert "reported excellence about you" in by_address[colleague.email].subject
    assert "Stayed after a long shift" in by_address[colleague.email].body
    assert "someone you manage" in by_address[ward_manager.email].subject
    assert by_address[staff.email].subject == "Thank you for reporting excellence"
    kinds = dict(Notification.objects.values_list("recipient__username", "kind"))
    assert kinds[colleague.username] == NotificationKind.EXCELLENCE_RECEIVED
    assert kinds[staff.username] == NotificationKind.EXCELLENCE_CONFIRMATION
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SENT}


def test_a_team_report_reaches_the_wards_manager_who_answers_for_the_team(
    client, staff, ward_manager, ward, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("excellence:report_create"), _form_data(ward, team_ward=ward.pk))
    report = ExcellenceReport.objects.get()
    assert report.team_ward == ward
    assert sorted(m.to[0] for m in mailoutbox) == sorted([ward_manager.email, staff.email])
    assert RecipientResponse.objects.get().recipient == ward_manager


@pytest.mark.parametrize(
    ("field", "text", "reason"),
    [
        ("what_happened", "Helped the patient with NHS number 943 476 5919 to eat.", "NHS number"),
        ("why_excellent", "Found the notes for RX1234567 quickly.", "hospital number"),
        ("difference_made", "Mrs Smith, DOB 12/03/1954, felt safe.", "date of birth"),
    ],
)
def test_patient_details_are_refused_and_the_text_is_kept(client, staff, colleague, ward, field, text, reason):
    client.force_login(staff)
    response = client.post(
        reverse("excellence:report_create"), _form_data(ward, recipients=[colleague.pk], **{field: text})
    )
    assert response.status_code == 200
    assertContains(response, "There is a problem")
    assertContains(response, reason)
    assertContains(response, text.replace(",", ","))
    assert response.content.decode().count("Error: ") == 1
    assert not ExcellenceReport.objects.exists()


def test_a_report_needs_someone_to_praise(client, staff, ward):
    client.force_login(staff)
    response = client.post(reverse("excellence:report_create"), _form_data(ward))
    assertContains(response, "Choose at least one colleague, or a whole team or ward")
    assertContains(response, "Stayed after a long shift")


def test_the_recipient_opens_says_thank_you_and_agrees_to_share(
    client, make_report, colleague, staff, mailoutbox, django_capture_on_commit_callbacks
):
    report = make_report(reporter_agrees_to_share=True)
    client.force_login(colleague)
    page = client.get(report.get_absolute_url())
    assertContains(page, "Say thank you")
    assert RecipientResponse.objects.get().opened_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("excellence:thank_you", args=[report.pk]), {"thanks-message": "That made my week"}, follow=True
        )
    assertContains(response, f"You said thank you to {staff.display_name}")
    assert [m.to for m in mailoutbox] == [[staff.email]]
    assert "That made my week" in mailoutbox[0].body
    client.post(reverse("excellence:sharing", args=[report.pk]), {"sharing-share": "yes"})
    report.refresh_from_db()
    assert report.is_shared
    assertContains(client.get(reverse("excellence:wall")), "Calm and kind when the bay was busy")


def test_a_thank_you_with_patient_details_is_refused(client, make_report, colleague):
    report = make_report()
    client.force_login(colleague)
    response = client.post(reverse("excellence:thank_you", args=[report.pk]), {"thanks-message": "born 12.03.1954"})
    assertContains(response, "date of birth")
    assertContains(response, "born 12.03.1954")
    assert RecipientResponse.objects.get().thanked_at is None


def test_a_report_is_not_shared_until_every_recipient_agrees(make_report, colleague, outsider):
    from excellence import services

    report = make_report(recipients=[colleague, outsider], reporter_agrees_to_share=True)
    services.set_sharing(report=report, by=colleague, agrees=True)
    report.refresh_from_db()
    assert not report.is_shared
    services.set_sharing(report=report, by=outsider, agrees=True)
    report.refresh_from_db()
    assert report.is_shared
    services.set_sharing(report=report, by=report.reporter, agrees=False)
    report.refresh_from_db()
    assert not report.is_shared


NHS_NUMBER = "Helped the patient with NHS number 943 476 5919 to eat"


def test_excellence_thanks_and_conversations_refuse_patient_details(client, make_report, colleague, ward_manager):
    report = make_report()
    client.force_login(colleague)
    response = client.post(
        reverse("excellence:thank_you", args=[report.pk]),
        {"thanks-message": NHS_NUMBER},
    )
    assertContains(response, "Remove the patient details.")
    assert not RecipientResponse.objects.exclude(thank_you_message="").exists()
    client.force_login(ward_manager)
    response = client.post(
        reverse("excellence:conversation", args=[report.pk]),
        {
            "held_on": timezone.localdate().isoformat(),
            "participants": [colleague.pk],
            "strengths": NHS_NUMBER,
        },
    )
    assertContains(response, "Remove the patient details.")
    assertContains(response, NHS_NUMBER)
    assert not Conversation.objects.exists()


def test_services_refuse_what_the_forms_refuse(make_report, staff, ward, colleague):
    with pytest.raises(ValidationError, match="Remove the patient details"):
        make_report(what_happened="Sat with Arthur Jones, 12 March 1954, all night")
    with pytest.raises(ValidationError, match="characters or fewer"):
        make_report(what_happened="x" * 20_000)
    report = make_report()
    with pytest.raises(ValidationError, match="Remove the patient details"):
        services.say_thank_you(report=report, by=colleague, message=NHS_NUMBER)
    assert ExcellenceReport.objects.count() == 1


def test_the_list_counts_each_value_and_theme_over_the_reports_the_person_sees(
    client, make_report, theme, admin_user, outsider, other_ward
):
    """An admin's unfiltered list counts every report's tags; someone who sees fewer, or a filtered list, counts
    only the reports listed."""
    kindness = Theme.objects.create(name="Kindness", kind=Theme.Kind.THEME)
    make_report(tags=[theme, kindness])
    make_report(tags=[theme])
    make_report(reporter=outsider, ward=other_ward, tags=[theme], recipients=[], team_ward=other_ward)

    def themes(user, query=""):
        client.force_login(user)
        page = client.get(reverse("excellence:report_list") + query).content.decode()
        return re.findall(r"<li>(Compassion|Kindness): (\d+)</li>", page)

    assert themes(admin_user) == [("Compassion", "3"), ("Kindness", "1")]
    assert themes(outsider) == [("Compassion", "1")]
    assert themes(admin_user, f"?ward={other_ward.pk}") == [("Compassion", "1")]
