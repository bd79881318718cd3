"""The anonymised CSV holds no name, email or username of anyone, and dates only as week starts."""

import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse

from excellence import demo as excellence_demo
from excellence import services
from excellence.models import ExcellenceReport
from qiportal import demo
from qiportal.exports import safe_cell
from qiportal.models import Role, User, Ward


@pytest.fixture
def demo_trust(db):
    users = demo.seed_organisation(None)
    excellence_demo.seed_reports(users)
    return users


def _protected_words():
    words = set()
    for name in Ward.objects.values_list("name", flat=True):
        words.update(name.split())
    for title in User.objects.values_list("job_title", flat=True):
        words.update(w.strip(",()") for w in title.split())
    for label in Role.labels:
        words.update(w.strip("()") for w in label.split())
    return words


def test_the_demo_export_names_nobody(client, demo_trust):
    users = demo_trust
    # Names in free text too: the scrubber must replace them with job titles.
    report = ExcellenceReport.objects.filter(recipients=users["hca"]).first() or ExcellenceReport.objects.first()
    ExcellenceReport.objects.filter(pk=report.pk).update(
        what_happened="Megan Clarke and Tom helped; Grace Mensah (wardmanager@wessexvale.nhs.invalid) agreed."
    )
    client.force_login(users["qilead"])
    response = client.get(reverse("excellence:export"))
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == ExcellenceReport.objects.count() + 1
    protected = _protected_words()
    protected_lower = {w.lower() for w in protected}
    for user in User.objects.all():
        assert user.email not in text
        assert user.get_full_name() not in text
        for part in (user.first_name, user.last_name):
            if part not in protected:
                assert not re.search(rf"\b{re.escape(part)}\b", text), part
        if user.username.lower() not in protected_lower:
            assert not re.search(rf"\b{re.escape(user.username)}\b", text), user.username
    assert "Healthcare assistant and Staff nurse helped" in text
    for row in rows[1:]:
        for week in (row[1], row[2]):
            assert date.fromisoformat(week).weekday() == 0


def test_seeding_twice_changes_nothing(demo_trust):
    before = ExcellenceReport.objects.count()
    assert 75 <= before <= 85
    excellence_demo.seed_reports(demo_trust)
    assert ExcellenceReport.objects.count() == before
    assert ExcellenceReport.objects.overdue().exists()
    assert ExcellenceReport.objects.filter(state=ExcellenceReport.State.CONVERSATION_HELD).exists()
    assert ExcellenceReport.objects.shared().exists()
    assert ExcellenceReport.objects.values("ward").distinct().count() == 6


def test_seeding_sends_no_email(db, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        excellence_demo.seed_reports(demo.seed_organisation(None))
    assert mailoutbox == []


@pytest.mark.parametrize("cell", ["=HYPERLINK(1)", "+1", "-2", "@SUM(A1)"])
def test_formula_cells_are_neutralised(cell):
    assert safe_cell(cell) == "'" + cell


def test_a_formula_in_a_report_is_neutralised_in_the_export(client, make_report, qi_lead):
    make_report(what_happened="=cmd|' /C calc'!A0")
    client.force_login(qi_lead)
    rows = list(csv.reader(io.StringIO(client.get(reverse("excellence:export")).content.decode())))
    assert rows[1][11] == "'=cmd|' /C calc'!A0"
    assert services  # the services made the report


def _export_text(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("excellence:export"))
    return b"".join(response.streaming_content if response.streaming else [response.content]).decode()


def test_names_in_free_text_are_scrubbed_in_any_case(client, demo_trust):
    """Issue 16, item 3: every demo person's name, username and email, in lower, upper and title case."""
    protected = {word.lower() for word in _protected_words()}
    people = list(User.objects.exclude(first_name=""))
    mentions = []
    for user in people:
        for case in (str.lower, str.upper, str.title):
            mentions += [case(user.get_full_name()), f"{case(user.first_name)}'s", case(user.email)]
            mentions += [case(part) for part in (user.first_name, user.last_name, user.username)]
    report = ExcellenceReport.objects.first()
    ExcellenceReport.objects.filter(pk=report.pk).update(
        what_happened=" and ".join(mentions[: len(mentions) // 2]) + " stayed late.",
        why_excellent=" and ".join(mentions[len(mentions) // 2 :]) + " helped.",
        difference_made="megan stayed late; MEGAN CLARKE was brilliant; thanks to clarke (HCA@WESSEXVALE.NHS.INVALID)",
    )
    text = _export_text(client, demo_trust["qilead"])
    for user in people:
        assert not re.search(re.escape(user.email), text, re.IGNORECASE), user.email
        assert not re.search(rf"\b{re.escape(user.get_full_name())}\b", text, re.IGNORECASE), user.get_full_name()
        for word in (user.first_name, user.last_name, user.username):
            if word.lower() not in protected:  # "Ward" of Lucy Ward is a word of every ward name
                assert not re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE), word
    assert "Healthcare assistant stayed late; Healthcare assistant was brilliant" in text
    assert "thanks to Healthcare assistant (Healthcare assistant)" in text
