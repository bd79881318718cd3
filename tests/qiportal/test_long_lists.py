"""Long lists (a select of every member of staff, a team picker) written in Python are the same HTML as Django's
and the crispy pack's templates wrote, and the people step of logging an initiative stays quick at a large trust."""

import pytest
from django import forms
from django.template import Context, Template
from django.test.html import parse_html
from django.urls import reverse

from projects.forms import CharterPeopleForm, PersonChoiceField
from qiportal.models import User
from qiportal.widgets import CheckboxPicker, LongSelect, checkbox_items
from tests.factories import UserFactory
from tests.queries import cold_queries

CHOICES = [("", "Choose the lead"), ("1", "Ann O'Brien & <b>Co</b>"), ("2", "Bo Chen (Nurse)"), ("3", "Cy")]


@pytest.mark.parametrize("value", [None, "2", "1"])
@pytest.mark.parametrize(
    "attrs",
    [{}, {"class": "nhsuk-select", "aria-describedby": "id_lead_helptext", "required": True, "disabled": False}],
)
def test_a_long_select_is_the_same_markup_as_djangos(value, attrs):
    ours = LongSelect(choices=CHOICES).render("lead", value, {"id": "id_lead", **attrs})
    django = forms.Select(choices=CHOICES).render("lead", value, {"id": "id_lead", **attrs})
    assert parse_html(ours) == parse_html(django)
    assert "Ann O&#x27;Brien &amp; &lt;b&gt;Co&lt;/b&gt;" in ours  # escaped, never markup


def test_a_long_select_with_option_groups_is_left_to_djangos_templates():
    choices = [("Wards", [("1", "Oak"), ("2", "Ash")]), ("Teams", [("3", "Theatres")])]
    ours = LongSelect(choices=choices).render("place", "2", {"id": "id_place"})
    assert parse_html(ours) == parse_html(forms.Select(choices=choices).render("place", "2", {"id": "id_place"}))
    assert "<optgroup" in ours


# The crispy pack's loop over each checkbox, as templates/nhsuk/layout/checkboxes.html wrote it before.
TEMPLATE_LOOP = Template(
    """{% for choice in field %}
      <div class="nhsuk-checkboxes__item">
        <input class="nhsuk-checkboxes__input" id="{% if forloop.first %}{{ field.auto_id }}{% else %}"""
    """{{ choice.id_for_label }}{% endif %}" name="{{ choice.data.name }}" type="checkbox" """
    """value="{{ choice.data.value|stringformat:'s' }}"{% if choice.data.selected %} checked{% endif %}"""
    """{% include "nhsuk/layout/attrs.html" with attrs=choice.data.attrs %}>
        <label class="nhsuk-label nhsuk-checkboxes__label" for="{% if forloop.first %}{{ field.auto_id }}"""
    """{% else %}{{ choice.id_for_label }}{% endif %}">{{ choice.choice_label }}</label>
      </div>
      {% endfor %}"""
)


class TeamForm(forms.Form):
    team = forms.MultipleChoiceField(choices=CHOICES[1:], required=False, widget=CheckboxPicker(noun="people"))


@pytest.mark.parametrize("data", [None, {"team": ["1", "3"]}])
def test_checkbox_items_are_the_same_markup_as_the_crispy_packs_loop(data):
    field = TeamForm(data)["team"]
    ours = checkbox_items(field)
    assert parse_html(ours) == parse_html(TEMPLATE_LOOP.render(Context({"field": field})))
    assert 'id="id_team"' in ours  # the first box takes the field's id: the error summary links to it
    assert ours.count(" checked") == (2 if data else 0)


@pytest.mark.django_db
def test_the_people_fields_use_long_lists_and_keep_the_chosen_people():
    lead, member = UserFactory(first_name="Lee", last_name="Lead"), UserFactory(first_name="Tam", last_name="Team")
    form = CharterPeopleForm(initial={"lead": lead, "team": [member]})
    assert isinstance(PersonChoiceField(queryset=User.objects.all()).widget, LongSelect)
    html = form.as_div() + str(checkbox_items(form["team"]))
    assert f'<option value="{lead.pk}" selected>Lee Lead' in html
    assert f'value="{member.pk}" checked' in html


@pytest.mark.django_db
def test_the_people_step_lists_every_member_of_staff_in_a_fixed_number_of_queries(client, qi_lead, sponsor):
    client.force_login(qi_lead)
    url = reverse("projects:initiative_create_step", args=["people"])
    client.get(url)  # the first view starts the draft in the session
    counts = []
    for batch in (5, 300):
        UserFactory.create_batch(batch)
        with cold_queries() as captured:
            page = client.get(url).content.decode()
        counts.append(len(captured))
        everyone = User.objects.filter(is_active=True).count()
        assert page.count('class="nhsuk-checkboxes__input"') == everyone  # the team picker: every person
        # Lead and coach: everyone; sponsor: the senior managers alone; an empty choice each.
        assert page.count("<option") == 2 * everyone + 1 + 3
        assert f'<option value="{sponsor.pk}">{sponsor.display_name}' in page
        # The lists are read, never counted first (list() asks a queryset's choices for their length).
        assert not [q["sql"] for q in captured if "COUNT(" in q["sql"] and '"qiportal_user"' in q["sql"]]
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_the_charter_lists_are_read_once_and_say_the_same_as_each_person_row(qi_lead):
    """Lead, team and coach share one read of the staff as plain values; each label is what the field would have
    made from the person's row, for people with and without a job title or a name."""
    nameless = UserFactory(first_name="", last_name="", username="locum7", job_title="")
    titled = UserFactory(first_name="Ade", last_name="Bello", job_title="Physiotherapist")
    form = CharterPeopleForm(initial={"lead": titled, "team": [nameless, titled], "coach": None})
    field = form.fields["lead"]
    for person in (nameless, titled, qi_lead):
        label = field.label_from_instance(person)
        assert (person.pk, label) in form.fields["team"].widget.choices
        assert (person.pk, label) in form.fields["coach"].widget.choices
    assert field.label_from_instance(nameless) == "locum7"
    assert field.label_from_instance(titled) == "Ade Bello (Physiotherapist)"
    html = str(form["lead"]) + checkbox_items(form["team"])
    assert f'<option value="{titled.pk}" selected>Ade Bello (Physiotherapist)</option>' in html
    assert f'value="{nameless.pk}" checked' in html and f'value="{qi_lead.pk}" checked' not in html
    assert CharterPeopleForm({"lead": str(titled.pk), "sponsor": ""}).errors["sponsor"] == ["Choose a sponsor"]


@pytest.mark.django_db
def test_the_excellence_colleague_list_is_read_as_values_and_says_what_each_row_would(staff):
    from excellence.forms import ReportForm

    nameless = UserFactory(first_name="", last_name="", username="agency12", job_title="")
    titled = UserFactory(first_name="Ade", last_name="Bello", job_title="Physiotherapist")
    field = ReportForm(user=staff).fields["recipients"]
    offered = dict(field.widget.choices)
    assert offered[titled.pk] == field.label_from_instance(titled) == "Ade Bello, Physiotherapist"
    assert offered[nameless.pk] == field.label_from_instance(nameless) == "agency12"
    assert staff.pk not in offered  # nobody reports themselves
    assert list(offered) == list(field.queryset.values_list("pk", flat=True))


def test_checkbox_items_in_option_groups_are_the_same_markup_as_the_crispy_packs_loop():
    class GroupedForm(forms.Form):
        place = forms.MultipleChoiceField(
            choices=[("Wards", [("1", "Oak & Ash"), ("2", "Elm")]), ("Teams", [("3", "Theatres")])],
            widget=CheckboxPicker(noun="places"),
        )

    field = GroupedForm({"place": ["2"]})["place"]
    ours = checkbox_items(field)
    assert parse_html(ours) == parse_html(TEMPLATE_LOOP.render(Context({"field": field})))
    assert ours.count(" checked") == 1 and "Oak &amp; Ash" in ours


def test_a_disabled_picker_disables_every_box_as_djangos_subwidgets_do():
    form = TeamForm(initial={"team": ["3"]})
    form.fields["team"].disabled = True
    ours = checkbox_items(form["team"])
    assert parse_html(ours) == parse_html(TEMPLATE_LOOP.render(Context({"field": form["team"]})))
    assert ours.count(" disabled") == 3 and ours.count(" checked") == 1
