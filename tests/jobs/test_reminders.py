"""Stalled initiatives, reminders, the weekly digest and run_jobs, with frozen time."""

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from excellence import services as excellence_services
from excellence.jobs import remind_excellence_follow_up, remind_excellence_unopened
from ffit.jobs import remind_ffit_missing
from hub.digest import send_weekly_digest
from projects import jobs, services
from projects.models import Initiative, OverloadFlag
from qiportal.models import Channel, Notification, NotificationKind, NotificationPreference
from runcharts import services as runcharts_services
from runcharts.analysis import Reading
from runcharts.jobs import remind_data_missing
from tests.factories import DataPointFactory, InitiativeFactory, MeasureFactory, PdsaCycleFactory, UserFactory

pytestmark = pytest.mark.django_db
MONDAY = "2026-11-23 09:00 +00:00"


PDSA_PLAN = {
    "title": "Checklist on one bay",
    "objective": "See whether the checklist fits the round.",
    "starts_on": date(2026, 10, 19),
    "planned_end_on": date(2026, 11, 2),
}


def emails_to(user, words=""):
    return [m for m in mail.outbox if user.email in m.to and words in m.subject]


# Stalled -------------------------------------------------------------------------------------------


def test_an_initiative_with_no_activity_for_six_weeks_is_stalled_and_its_sponsor_told_once(ward, sponsor, committed):
    with time_machine.travel("2026-09-01 09:00 +00:00", tick=False):
        quiet = InitiativeFactory(sponsor=sponsor, wards=[ward], directorate=ward.directorate)
        busy = InitiativeFactory(sponsor=sponsor, wards=[ward], directorate=ward.directorate)
        measured = InitiativeFactory(sponsor=sponsor, wards=[ward], directorate=ward.directorate)
        measure = MeasureFactory(initiative=measured)
    with time_machine.travel("2026-10-20 09:00 +00:00", tick=False):  # work recorded as people record it
        services.plan_pdsa_cycle(initiative_id=busy.pk, by=busy.lead, **PDSA_PLAN)
        runcharts_services.save_values(
            measure_id=measure.pk, by=measured.lead, values={date(2026, 10, 12): Reading(value=4)}
        )
    with time_machine.travel("2026-11-05 09:00 +00:00", tick=False):
        committed(jobs.scan_wards)
        committed(jobs.scan_wards)
        quiet.refresh_from_db()
        assert quiet.is_stalled and quiet.stalled_since == date(2026, 11, 5)
        assert not Initiative.objects.get(pk=busy.pk).is_stalled
        assert not Initiative.objects.get(pk=measured.pk).is_stalled
        assert len(emails_to(sponsor, "has stalled")) == 1
        assert f"‘{quiet.title}’ has stalled" == emails_to(sponsor, "has stalled")[0].subject
    # Activity resumes: the mark clears.
    with time_machine.travel("2026-11-06 09:00 +00:00", tick=False):
        services.plan_pdsa_cycle(initiative_id=quiet.pk, by=quiet.lead, **PDSA_PLAN)
        jobs.scan_wards()
        quiet.refresh_from_db()
        assert not quiet.is_stalled and quiet.stalled_since is None


def test_stalled_initiatives_are_in_the_sponsors_review_queue(client, ward, sponsor):
    with time_machine.travel("2026-09-01 09:00 +00:00", tick=False):
        quiet = InitiativeFactory(
            sponsor=sponsor, wards=[ward], directorate=ward.directorate, title="Quiet bay project"
        )
    with time_machine.travel("2026-11-05 09:00 +00:00", tick=False):
        jobs.scan_wards()
        client.force_login(sponsor)
        assert quiet.title in client.get("/reviews/").content.decode()


# Reminders -----------------------------------------------------------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_review_due_reminder_goes_once_a_week(ward, sponsor, committed):
    InitiativeFactory(sponsor=sponsor, wards=[ward], next_review_on=date(2026, 11, 20), title="Falls huddles")
    InitiativeFactory(sponsor=sponsor, wards=[ward], next_review_on=date(2027, 1, 20))
    committed(jobs.remind_reviews_due)
    committed(jobs.remind_reviews_due)
    assert [m.subject for m in emails_to(sponsor)] == ["Review overdue: ‘Falls huddles’"]
    with time_machine.travel("2026-11-30 09:00 +00:00", tick=False):  # next week: reminded again
        committed(jobs.remind_reviews_due)
    assert len(emails_to(sponsor)) == 2


@time_machine.travel(MONDAY, tick=False)
def test_digest_preference_means_no_immediate_email_then_one_digest(ward, sponsor, committed):
    NotificationPreference.objects.create(user=sponsor, kind=NotificationKind.REVIEW_DUE, channel=Channel.DIGEST)
    InitiativeFactory(sponsor=sponsor, wards=[ward], next_review_on=date(2026, 11, 20), title="Falls huddles")
    committed(jobs.remind_reviews_due)
    assert emails_to(sponsor) == []
    assert Notification.objects.get(recipient=sponsor).status == Notification.Status.DIGEST
    committed(send_weekly_digest)
    committed(send_weekly_digest)
    [digest] = emails_to(sponsor, "Your QI Portal week")
    assert digest.subject == "Your QI Portal week: 1 thing"
    assert digest.body.count("Review overdue: ‘Falls huddles’") == 1  # needs you now, not again as "since"
    assert not Notification.objects.filter(status=Notification.Status.DIGEST).exists()


@time_machine.travel(MONDAY, tick=False)
def test_in_app_only_sends_no_email_and_an_empty_week_sends_no_digest(ward, sponsor, qi_lead, committed):
    NotificationPreference.objects.create(user=sponsor, kind=NotificationKind.REVIEW_DUE, channel=Channel.IN_APP)
    InitiativeFactory(sponsor=sponsor, wards=[ward], next_review_on=date(2026, 11, 24))
    committed(jobs.remind_reviews_due)
    assert emails_to(sponsor) == []
    assert Notification.objects.get(recipient=sponsor).status == Notification.Status.IN_APP
    result = committed(send_weekly_digest)
    assert mail.outbox == []
    assert result.lines == ["0 digests for 2026-W48."]


@time_machine.travel(MONDAY, tick=False)
def test_data_missing_on_monday_for_last_week(ward, committed):
    owner = UserFactory()
    initiative = InitiativeFactory(wards=[ward])
    missing = MeasureFactory(initiative=initiative, owner=owner, name="Falls per 1,000 bed days")
    entered = MeasureFactory(initiative=initiative, owner=owner)
    DataPointFactory(measure=entered, week_start=date(2026, 11, 16))
    committed(remind_data_missing)
    committed(remind_data_missing)
    assert [m.subject for m in emails_to(owner)] == [f"Add last week's value for ‘{missing.name}’"]
    assert "week starting 16 November 2026" in emails_to(owner)[0].body


@time_machine.travel(MONDAY, tick=False)
def test_pdsa_past_its_planned_end_without_study_reminds_the_lead(ward, committed):
    initiative = InitiativeFactory(wards=[ward])
    PdsaCycleFactory(initiative=initiative, starts_on=date(2026, 11, 1), planned_end_on=date(2026, 11, 15), stage="do")
    PdsaCycleFactory(initiative=initiative, starts_on=date(2026, 11, 1), planned_end_on=date(2026, 11, 15), stage="act")
    committed(jobs.remind_pdsa_overdue)
    committed(jobs.remind_pdsa_overdue)
    assert len(emails_to(initiative.lead, "past its planned end")) == 1


@time_machine.travel(MONDAY, tick=False)
def test_ffit_missing_reminds_the_ward_manager_of_a_ward_with_a_proposal(ward, other_ward, ward_manager, committed):
    InitiativeFactory(wards=[ward], status="submitted", directorate=ward.directorate)
    InitiativeFactory(wards=[other_ward], status="live", directorate=other_ward.directorate)
    committed(remind_ffit_missing)
    committed(remind_ffit_missing)
    assert [m.subject for m in emails_to(ward_manager)] == ["Oak Ward has no readiness (FFIT) audit"]


def test_excellence_follow_up_and_unopened_reminders(ward, staff, ward_manager, committed):
    reporter = UserFactory()
    with time_machine.travel("2026-11-01 09:00 +00:00", tick=False):
        staff.line_manager = ward_manager
        staff.save()
        report = excellence_services.submit_report(
            reporter=reporter,
            ward=ward,
            happened_on=date(2026, 10, 30),
            what_happened="Stayed late to settle a worried relative.",
            why_excellent="Calm and kind under pressure.",
            difference_made="The family felt looked after.",
            recipients=[staff],
            notify_people=False,
        )
    mail.outbox.clear()
    with time_machine.travel("2026-11-23 09:00 +00:00", tick=False):
        committed(remind_excellence_follow_up)
        committed(remind_excellence_follow_up)
        committed(remind_excellence_unopened)
    with time_machine.travel("2026-12-10 09:00 +00:00", tick=False):
        committed(remind_excellence_unopened)  # "once": never again
    assert len(emails_to(ward_manager, "conversation is overdue")) == 1
    assert len(emails_to(staff, "reported your excellent work")) == 1
    assert Notification.objects.get(kind=NotificationKind.EXCELLENCE_UNOPENED).subject_id == report.pk


# run_jobs --------------------------------------------------------------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_run_jobs_dry_run_changes_nothing_and_sends_nothing(
    ward, load_ward, sponsor, django_capture_on_commit_callbacks
):
    load_ward(on_ward=4, next_review_on=date(2026, 11, 20))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("run_jobs", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Would open an overload flag for Oak Ward: Load 4 of 3 – over threshold." in text
    assert "Reminded Michael Okafor that the review of" in text
    assert "Dry run: nothing was saved and no email was sent." in text
    assert not OverloadFlag.objects.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == [] and callbacks == []


@time_machine.travel(MONDAY, tick=False)
def test_run_jobs_runs_one_job(ward, load_ward):
    load_ward(on_ward=4)
    out = StringIO()
    call_command("run_jobs", "--job", "scan_wards", stdout=out)
    assert "Opened an overload flag for Oak Ward" in out.getvalue()
    assert OverloadFlag.objects.open().count() == 1


def test_run_jobs_refuses_an_unknown_job(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown job: nonsense"):
        call_command("run_jobs", "--job", "nonsense", stdout=StringIO())


def test_every_beat_entry_names_a_registered_task(settings):
    from qiportal.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


# Overloads accepted for now --------------------------------------------------------------------------


def _accepted_flag(load_ward, sponsor, review_on: date) -> OverloadFlag:
    load_ward(on_ward=4)
    jobs.scan_wards(notify_people=False)
    flag = OverloadFlag.objects.get()
    return services.accept_overload(flag_id=flag.pk, by=sponsor, reason="Two finish next month", review_on=review_on)


def test_an_accepted_overload_comes_back_to_its_decider_on_the_review_date(load_ward, sponsor, committed):
    with time_machine.travel("2026-11-02 09:00 +00:00", tick=False):
        flag = _accepted_flag(load_ward, sponsor, date(2026, 11, 25))
    with time_machine.travel("2026-11-24 09:00 +00:00", tick=False):
        committed(jobs.remind_overload_reviews)
        assert emails_to(sponsor, "Review the overload") == []  # not yet due
    with time_machine.travel("2026-11-25 09:00 +00:00", tick=False):
        committed(jobs.remind_overload_reviews)
        committed(jobs.remind_overload_reviews)
    with time_machine.travel("2026-11-27 09:00 +00:00", tick=False):
        committed(jobs.remind_overload_reviews)  # same week: nothing new
    [email] = emails_to(sponsor, "Review the overload")
    assert email.subject == f"Review the overload on {flag.ward}"
    assert "to be reviewed on 25 November 2026: “Two finish next month”" in email.body
    assert f"/overload-flags/{flag.pk}/" in email.body
    with time_machine.travel("2026-11-30 09:00 +00:00", tick=False):
        committed(jobs.remind_overload_reviews)  # a new ISO week, but only five days since the last reminder
    assert len(emails_to(sponsor, "Review the overload")) == 1
    with time_machine.travel("2026-12-02 09:00 +00:00", tick=False):
        committed(jobs.remind_overload_reviews)  # still open, still unreviewed: a week on, once more
    assert len(emails_to(sponsor, "Review the overload")) == 2


def test_a_new_review_date_stops_the_reminders(load_ward, sponsor, committed):
    with time_machine.travel("2026-11-02 09:00 +00:00", tick=False):
        flag = _accepted_flag(load_ward, sponsor, date(2026, 11, 25))
    with time_machine.travel("2026-11-25 09:00 +00:00", tick=False):
        services.accept_overload(flag_id=flag.pk, by=sponsor, reason="Still two to finish", review_on=date(2027, 1, 6))
        committed(jobs.remind_overload_reviews)
    assert emails_to(sponsor, "Review the overload") == []


def test_when_the_decider_has_left_the_wards_senior_managers_are_reminded(
    load_ward, sponsor, trust_sponsor, other_sponsor, committed
):
    with time_machine.travel("2026-11-02 09:00 +00:00", tick=False):
        _accepted_flag(load_ward, sponsor, date(2026, 11, 25))
    sponsor.is_active = False
    sponsor.save()
    with time_machine.travel("2026-11-25 09:00 +00:00", tick=False):
        result = committed(jobs.remind_overload_reviews)
    assert len(emails_to(trust_sponsor, "Review the overload")) == 1  # oversees the whole trust
    assert emails_to(other_sponsor, "Review the overload") == []  # another directorate
    assert emails_to(sponsor, "Review the overload") == []
    assert "1 overload review reminders" in "\n".join(result.lines)
