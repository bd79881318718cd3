"""Every free-text field a person types refuses patient details and over-long text, with the same message, keeping
what was typed, and saving nothing (issue 16, items 2 and 7).

The walk over every form class in the project makes a new free-text field that skips the guard fail here; the walk
over every model makes a new free-text column without the guard fail too.
"""

import importlib
import pkgutil
from datetime import timedelta

import pytest
from django import forms
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from projects.forms import CharterAimForm, stage_form
from projects.models import Decision, Initiative, OverloadFlag, PdsaCycle, ProgressScore
from qiportal.fields import TextLimit
from qiportal.forms import PatientSafeFormMixin, is_free_text
from qiportal.pii import no_patient_details
from runcharts.models import Annotation, Measure, Rephase
from tests.factories import InitiativeFactory, MeasureFactory, PdsaCycleFactory

APPS = ("qiportal", "projects", "ffit", "runcharts", "excellence", "hub")
NHS_NUMBER = "Helped the patient with NHS number 943 476 5919 to eat"
MESSAGE = "Remove the patient details."
# Text columns the service writes itself, never a person: nothing typed reaches them.
SYSTEM_TEXT = {
    ("projects", "Initiative", "flag_reason"),
    ("projects", "OverloadFlag", "close_cause"),
    ("runcharts", "Measure", "latest_signal"),
    ("runcharts", "Measure", "latest_rule"),  # the rules' own words (runcharts/latest.py)
    ("excellence", "Theme", "name"),  # the admins' list of trust values
    ("excellence", "Tally", "key"),  # a follow-up state, a theme's id or a week's date (excellence/tallies.py)
}


def _project_modules():
    for app in APPS:
        try:
            package = importlib.import_module(app)
        except ModuleNotFoundError:
            continue
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if not any(part in info.name for part in (".migrations", ".management", ".tests")):
                importlib.import_module(info.name)


def _form_classes():
    _project_modules()
    for stage in ("do", "study", "act"):
        stage_form(stage)  # made on demand by the PDSA pages
    found, todo = set(), [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in APPS:
                found.add(sub)
    return found


def test_every_free_text_field_of_every_form_is_guarded_and_limited():
    classes = _form_classes()
    checked = []
    for cls in classes:
        for name, field in cls.base_fields.items():
            if not is_free_text(field) or name in getattr(cls, "unguarded_fields", ()):
                continue
            assert issubclass(cls, PatientSafeFormMixin), f"{cls.__module__}.{cls.__name__}.{name} is not guarded"
            assert field.max_length, f"{cls.__module__}.{cls.__name__}.{name} has no length limit"
            checked.append(f"{cls.__name__}.{name}")
    # The walk found the forms people type in (a walk that finds nothing proves nothing).
    for expected in (
        "CharterForm.aim",
        "DecisionForm.reason",
        "PdsaPlanForm.objective",
        "StageForm.what_happened",
        "ProgressScoreForm.note",
        "OverloadDecisionForm.reason",
        "MeasureForm.definition",
        "RephaseForm.reason",
        "AnnotationForm.text",
        "ReportForm.what_happened",
        "ThankYouForm.message",
        "ConversationForm.strengths",
    ):
        assert expected in checked


def test_a_guarded_form_field_refuses_patient_details_and_shows_its_limit():
    form = CharterAimForm(data={"title": "Falls", "problem": NHS_NUMBER, "aim": "x" * 20_000})
    assert not form.is_valid()
    assert form.errors["problem"][0].startswith(MESSAGE)
    assert form.errors["aim"] == ["Enter 1,000 characters or fewer. You entered 20,000."]
    assert no_patient_details in form.fields["aim"].validators
    assert 'maxlength="1000"' in str(form["aim"])


def test_every_free_text_column_a_person_types_is_guarded():
    for model in apps.get_models():
        label = model._meta.app_label
        if label not in APPS or model.__name__.startswith("Historical"):
            continue
        for field in model._meta.get_fields():
            if not isinstance(field, models.CharField | models.TextField) or field.choices:
                continue
            if (label, model.__name__, field.name) in SYSTEM_TEXT or label == "qiportal":
                continue  # the core's own tables hold organisation data and generated messages
            where = f"{label}.{model.__name__}.{field.name}"
            assert no_patient_details in field.validators, f"{where} has no patient-details guard"
            if isinstance(field, models.TextField):
                assert TextLimit(field.max_length) in field.validators, f"{where} has no length limit"


# Each page a person types on, refusing an NHS number and saving nothing ---------------------------------------


@pytest.fixture
def initiative(qi_lead, sponsor, ward):
    return InitiativeFactory(lead=qi_lead, sponsor=sponsor, directorate=ward.directorate, wards=[ward])


def _charter_data(initiative, **changes):
    data = {
        "title": initiative.title,
        "problem": initiative.problem,
        "aim": initiative.aim,
        "scope": "wards",
        "wards": [w.pk for w in initiative.wards.all()],
        "priority": initiative.priority_id,
        "lead": initiative.lead_id,
        "sponsor": initiative.sponsor_id,
        "planned_start_on": initiative.planned_start_on.isoformat(),
        "planned_end_on": initiative.planned_end_on.isoformat(),
        "change_ideas": "",
        "review_interval_weeks": 8,
    }
    data.update(changes)
    return data


def _cases(initiative, qi_lead, sponsor, ward):
    cycle = PdsaCycleFactory(initiative=initiative)
    measure = MeasureFactory(initiative=initiative)
    flag = OverloadFlag.objects.create(ward=ward, load_at_open=5, threshold_at_open=3)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    return [
        (qi_lead, reverse("projects:initiative_edit", args=[initiative.pk]), _charter_data(initiative, aim=NHS_NUMBER),
         lambda: Initiative.objects.filter(aim__contains="5919").exists()),
        (sponsor, reverse("projects:pause", args=[initiative.pk]), {"reason": NHS_NUMBER},
         lambda: Decision.objects.exists()),
        (qi_lead, reverse("projects:pdsa_create", args=[initiative.pk]),
         {"title": "Checklist", "objective": NHS_NUMBER, "starts_on": today.isoformat(),
          "planned_end_on": today.isoformat()},
         lambda: PdsaCycle.objects.filter(objective__contains="5919").exists()),
        (qi_lead, reverse("projects:pdsa_stage", args=[initiative.pk, cycle.number, "do"]),
         {"what_happened": NHS_NUMBER, "observations": "", "problems": ""},
         lambda: PdsaCycle.objects.filter(what_happened__contains="5919").exists()),
        (qi_lead, reverse("projects:progress_score", args=[initiative.pk]), {"score": "1.5", "note": NHS_NUMBER},
         lambda: ProgressScore.objects.exists()),
        (sponsor, reverse("projects:overload_flag", args=[flag.pk]),
         {"action": "accept", "reason": NHS_NUMBER, "review_on": (today + timedelta(days=14)).isoformat()},
         lambda: OverloadFlag.objects.exclude(decision_reason="").exists()),
        (qi_lead, reverse("runcharts:measure_create_for", args=[initiative.pk]),
         {"name": "Falls", "kind": "outcome", "definition": NHS_NUMBER, "unit": "count", "improvement": "decrease",
          "chart": "anhoej"},
         lambda: Measure.objects.filter(definition__contains="5919").exists()),
        (qi_lead, reverse("runcharts:measure_edit", args=[measure.pk]),
         {"name": measure.name, "kind": "outcome", "definition": measure.definition, "numerator": NHS_NUMBER,
          "unit": "percent", "improvement": "increase", "chart": "anhoej"},
         lambda: Measure.objects.filter(numerator__contains="5919").exists()),
        (qi_lead, reverse("runcharts:rephase_add", args=[measure.pk]),
         {"week_start": monday.isoformat(), "reason": NHS_NUMBER}, lambda: Rephase.objects.exists()),
        (qi_lead, reverse("runcharts:annotation_add", args=[measure.pk]),
         {"on": today.isoformat(), "text": "MRN 1234567 fell"}, lambda: Annotation.objects.exists()),
    ]  # fmt: skip


@pytest.mark.parametrize("case", range(10))
def test_every_page_refuses_patient_details_keeps_the_text_and_saves_nothing(
    client, initiative, qi_lead, sponsor, ward, case
):
    person, url, data, saved = _cases(initiative, qi_lead, sponsor, ward)[case]
    client.force_login(person)
    response = client.post(url, data)
    assertContains(response, MESSAGE)
    typed = next(value for value in data.values() if value in (NHS_NUMBER, "MRN 1234567 fell"))
    assertContains(response, typed)
    assert not saved()


def test_a_20000_character_aim_is_refused_with_the_limit_shown(client, qi_lead):
    """Issue 16, item 7: the limit is shown before typing (an NHS.UK character count) and enforced after."""
    client.force_login(qi_lead)
    client.get(reverse("projects:initiative_create"))
    url = reverse("projects:initiative_create_step", args=["aim"])
    assertContains(client.get(url), "You can enter up to 1000 characters")
    response = client.post(url, {"title": "Falls", "problem": "Falls at night", "aim": "Fewer falls" * 1_818 + "!!"})
    assertContains(response, "Enter 1,000 characters or fewer. You entered 20,000.")
    assertContains(response, "Fewer falls" * 1_818 + "!!")  # what was typed is kept
    assert not Initiative.objects.exists()
