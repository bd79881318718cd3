"""Issue 17: reminders that respect people. One message per person per run, each thing again only once its
period has passed, a status that says what happened, a digest that lists each thing once, and job runs whose
queries do not grow with the number of reminders."""

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command

from excellence import services as excellence_services
from excellence.jobs import remind_excellence_follow_up, remind_excellence_unopened
from ffit.jobs import remind_ffit_missing
from hub.digest import send_weekly_digest
from projects import jobs
from qiportal.models import Channel, Notification, NotificationKind, NotificationPreference, ReminderLog, Role
from runcharts.jobs import remind_data_missing
from tests.factories import InitiativeFactory, MeasureFactory, PdsaCycleFactory, UserFactory, WardFactory, with_role
from tests.queries import cold_queries

pytestmark = pytest.mark.django_db
MONDAY = "2026-11-23 09:00 +00:00"


def emails_to(user, words=""):
    return [m for m in mail.outbox if user.email in m.to and words in m.subject]


def report_excellence(ward, recipient, day: int):
    with time_machine.travel(f"2026-10-{day:02d} 09:00 +00:00", tick=False):
        return excellence_services.submit_report(
            reporter=UserFactory(),
            ward=ward,
            happened_on=date(2026, 10, day),
            what_happened="Stayed late to settle a worried relative.",
            why_excellent="Calm and kind under pressure.",
            difference_made="The family felt looked after.",
            recipients=[recipient],
            notify_people=False,
        )


@pytest.fixture
def fourteen_overdue_conversations(ward, ward_manager):
    """The issue's case: fourteen people praised, all managed by one manager, every conversation overdue."""
    reports = []
    for day in range(1, 15):
        person = UserFactory(line_manager=ward_manager)
        reports.append(report_excellence(ward, person, day))
    mail.outbox.clear()
    return reports


# One message per person ------------------------------------------------------------------------------------


def test_fourteen_overdue_conversations_make_one_email_listing_each(
    fourteen_overdue_conversations, ward_manager, committed
):
    with time_machine.travel(MONDAY, tick=False):
        result = committed(remind_excellence_follow_up)
    [email] = emails_to(ward_manager)
    assert email.subject == "14 reminders: excellence conversations overdue"
    for report in fourteen_overdue_conversations:
        assert f"/excellence/reports/{report.pk}/" in email.body
    assert email.body.count("An excellence conversation is overdue: Oak Ward,") == 14
    assert "14 follow-up reminders for 2026-W48." in result.lines


def test_the_notifications_page_groups_a_batch_as_one_entry(
    client, fourteen_overdue_conversations, ward_manager, committed
):
    with time_machine.travel(MONDAY, tick=False):
        committed(remind_excellence_follow_up)
    client.force_login(ward_manager)
    page = client.get("/notifications/").content.decode()
    assert page.count("14 reminders: excellence conversations overdue") == 1
    assert page.count('class="nhsuk-card__heading') == 1
    for report in fourteen_overdue_conversations:
        assert f'href="/excellence/reports/{report.pk}/"' in page
    assert "You have 1 unread notification." in page


def test_one_run_of_every_job_emails_each_person_once(ward, sponsor, committed):
    with time_machine.travel("2026-11-02 09:00 +00:00", tick=False):  # recent activity: nothing stalls
        InitiativeFactory(sponsor=sponsor, wards=[ward], next_review_on=date(2026, 11, 20), title="Falls huddles")
        InitiativeFactory(sponsor=sponsor, wards=[ward], next_review_on=date(2026, 11, 25), title="Safe discharge")
        led = InitiativeFactory(lead=sponsor, wards=[ward], title="Hydration rounds")
        PdsaCycleFactory(initiative=led, starts_on=date(2026, 11, 1), planned_end_on=date(2026, 11, 15), stage="do")
    with time_machine.travel(MONDAY, tick=False):
        out = StringIO()
        committed(lambda: call_command("run_jobs", stdout=out))
    [email] = emails_to(sponsor)
    assert email.subject == "3 reminders: things waiting for you in QI Portal"
    assert "Reviews due (2):" in email.body and "PDSA cycles past their planned end (1):" in email.body
    assert "Review overdue: ‘Falls huddles’" in email.body and "Review due: ‘Safe discharge’" in email.body
    assert "Reminded Michael Okafor that the review of ‘Falls huddles’ is overdue." in out.getvalue()


# Not again until the period has passed ---------------------------------------------------------------------


def test_a_thing_is_not_reminded_again_until_its_period_has_passed(ward, sponsor, committed):
    InitiativeFactory(sponsor=sponsor, wards=[ward], next_review_on=date(2026, 11, 20), title="Falls huddles")
    with time_machine.travel("2026-11-29 09:00 +00:00", tick=False):  # a Sunday
        committed(jobs.remind_reviews_due)
    with time_machine.travel("2026-11-30 07:00 +00:00", tick=False):  # a new ISO week, one day later
        committed(jobs.remind_reviews_due)
    assert len(emails_to(sponsor)) == 1
    with time_machine.travel("2026-12-06 06:59 +00:00", tick=False):  # seven days on, whatever the hour
        committed(jobs.remind_reviews_due)
    assert len(emails_to(sponsor)) == 2


def test_a_once_only_reminder_is_never_sent_twice(ward, staff, committed):
    report_excellence(ward, staff, 1)
    with time_machine.travel(MONDAY, tick=False):
        committed(remind_excellence_unopened)
    with time_machine.travel("2027-01-04 09:00 +00:00", tick=False):
        result = committed(remind_excellence_unopened)
    assert len(emails_to(staff, "reported your excellent work")) == 1
    assert result.lines == ["0 unopened-report reminders."]


# The status shown is what happened ---------------------------------------------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_a_digest_only_reminder_never_says_email_sent(client, ward, sponsor, committed):
    NotificationPreference.objects.create(user=sponsor, kind=NotificationKind.REVIEW_DUE, channel=Channel.DIGEST)
    NotificationPreference.objects.create(user=sponsor, kind=NotificationKind.DIGEST, channel=Channel.IN_APP)
    InitiativeFactory(sponsor=sponsor, wards=[ward], next_review_on=date(2026, 11, 20), title="Falls huddles")
    client.force_login(sponsor)
    committed(jobs.remind_reviews_due)
    assert "Waiting for your weekly digest email" in client.get("/notifications/").content.decode()
    committed(send_weekly_digest)
    page = client.get("/notifications/").content.decode()
    assert mail.outbox == []
    assert "Email: sent" not in page
    assert "In your weekly digest email" in page
    assert "Shown in QI Portal only (no email)" in page  # the digest itself, as they chose


# The digest lists each thing once ------------------------------------------------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_the_digest_lists_a_pdsa_cycle_once_and_counts_what_it_lists(ward, committed):
    initiative = InitiativeFactory(wards=[ward], title="Hydration rounds")
    lead = initiative.lead
    NotificationPreference.objects.create(user=lead, kind=NotificationKind.PDSA_OVERDUE, channel=Channel.DIGEST)
    cycle = PdsaCycleFactory(
        initiative=initiative, starts_on=date(2026, 11, 1), planned_end_on=date(2026, 11, 15), stage="do"
    )
    committed(jobs.remind_pdsa_overdue)
    committed(send_weekly_digest)
    [digest] = emails_to(lead, "Your QI Portal week")
    assert digest.subject == "Your QI Portal week: 1 thing"
    assert digest.body.count(f"PDSA {cycle.number} of ‘Hydration rounds’ is past its planned end") == 1
    assert "What needs you now (1):" in digest.body
    assert "Since your last digest" not in digest.body


@time_machine.travel(MONDAY, tick=False)
def test_the_digest_counts_each_item_of_a_waiting_batch(ward, ward_manager, committed):
    NotificationPreference.objects.create(
        user=ward_manager, kind=NotificationKind.EXCELLENCE_FOLLOW_UP, channel=Channel.DIGEST
    )
    for day in (1, 2, 3):
        report_excellence(ward, UserFactory(line_manager=ward_manager), day)
    mail.outbox.clear()
    committed(remind_excellence_follow_up)
    assert emails_to(ward_manager) == []
    committed(send_weekly_digest)
    [digest] = emails_to(ward_manager, "Your QI Portal week")
    assert digest.subject == "Your QI Portal week: 3 things"
    assert "Since your last digest (3):" in digest.body
    assert digest.body.count("An excellence conversation is overdue: Oak Ward,") == 3


# Queries do not grow with the reminders -------------------------------------------------------------------------


def _reviews(ward, n):
    for _ in range(n):
        InitiativeFactory(wards=[ward], directorate=ward.directorate, next_review_on=date(2026, 11, 20))


def _cycles(ward, n):
    for _ in range(n):
        PdsaCycleFactory(
            initiative=InitiativeFactory(wards=[ward], directorate=ward.directorate),
            starts_on=date(2026, 11, 1),
            planned_end_on=date(2026, 11, 15),
            stage="do",
        )


def _measures(ward, n):
    for _ in range(n):
        MeasureFactory(initiative=InitiativeFactory(wards=[ward], directorate=ward.directorate), owner=UserFactory())


def _conversations(ward, n):
    manager = UserFactory()
    for index in range(n):
        report_excellence(ward, UserFactory(line_manager=manager if index % 2 else UserFactory()), 1 + index % 28)


def _unopened(ward, n):
    for index in range(n):
        report_excellence(ward, UserFactory(), 1 + index % 28)


def _proposals(ward, n):
    for _ in range(n):
        other = WardFactory(directorate=ward.directorate)
        with_role(UserFactory(), Role.WARD_MANAGER, ward=other)
        InitiativeFactory(wards=[other], directorate=ward.directorate, status="submitted")


JOBS = {
    "remind_reviews_due": (jobs.remind_reviews_due, _reviews),
    "remind_pdsa_overdue": (jobs.remind_pdsa_overdue, _cycles),
    "remind_data_missing": (remind_data_missing, _measures),
    "remind_excellence_follow_up": (remind_excellence_follow_up, _conversations),
    "remind_excellence_unopened": (remind_excellence_unopened, _unopened),
    "remind_ffit_missing": (remind_ffit_missing, _proposals),
}


@pytest.mark.parametrize("name", JOBS)
def test_a_reminder_jobs_queries_do_not_grow_with_the_number_of_reminders(name, ward, ward_manager):
    job, build = JOBS[name]

    def run() -> int:
        Notification.objects.all().delete()
        ReminderLog.objects.all().delete()
        ContentType.objects.clear_cache()  # each run looks its content types up afresh
        with time_machine.travel(MONDAY, tick=False), cold_queries() as captured:
            result = job()
        assert result.count("sent") > 0, result.lines
        return len(captured)

    build(ward, 2)
    few = run()
    build(ward, 20)
    many = run()
    assert few == many


def test_a_second_run_in_the_same_week_adds_no_queries_per_reminder(ward):
    _reviews(ward, 3)
    with time_machine.travel(MONDAY, tick=False):
        jobs.remind_reviews_due()
    _reviews(ward, 20)
    with time_machine.travel(MONDAY, tick=False), cold_queries() as first:
        jobs.remind_reviews_due()  # the 20 new ones
    with time_machine.travel(MONDAY, tick=False), cold_queries() as second:
        result = jobs.remind_reviews_due()  # nothing new
    assert result.count("sent") == 0
    assert len(second) <= len(first)


def test_nothing_due_is_a_quiet_run(db):
    with time_machine.travel(MONDAY, tick=False):
        result = jobs.remind_reviews_due()
    assert result.lines == ["0 review reminders for 2026-W48."]
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("status", "attempts", "shown"),
    [
        (Notification.Status.PENDING, 0, "Email: on its way"),
        (Notification.Status.SENT, 1, "Email: sent"),
        (Notification.Status.FAILED, 1, "Email: not sent yet (we will try again)"),
        (Notification.Status.FAILED, 5, "Email: could not be sent"),
        (Notification.Status.DIGEST, 0, "Waiting for your weekly digest email"),
        (Notification.Status.IN_DIGEST, 0, "In your weekly digest email"),
        (Notification.Status.IN_APP, 0, "Shown in QI Portal only (no email)"),
    ],
)
def test_each_status_says_what_happened(status, attempts, shown):
    assert Notification(status=status, attempts=attempts).delivery == shown


@time_machine.travel(MONDAY, tick=False)
def test_a_digest_only_reminder_made_in_a_run_is_in_that_runs_digest(ward, sponsor, committed):
    """run_jobs sends every reminder at the end of the run; the digest, which runs last, takes the ones meant for
    it first, rather than leaving them for next week's digest."""
    NotificationPreference.objects.create(user=sponsor, kind=NotificationKind.REVIEW_DUE, channel=Channel.DIGEST)
    InitiativeFactory(sponsor=sponsor, wards=[ward], next_review_on=date(2026, 11, 20), title="Falls huddles")
    committed(lambda: call_command("run_jobs", stdout=StringIO()))
    [digest] = emails_to(sponsor, "Your QI Portal week")
    assert "Falls huddles" in digest.body
    reminder = Notification.objects.get(recipient=sponsor, kind=NotificationKind.REVIEW_DUE)
    assert reminder.status != Notification.Status.DIGEST  # gathered into this digest, not waiting for the next
