"""The filter forms rendered without crispy's per-field templates are the same HTML as the crispy pack's."""

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from crispy_forms.utils import render_crispy_form
from django.template import Context, Template
from django.template.loader import get_template
from django.test.html import parse_html

from excellence.filters import ReportFilter
from excellence.models import ExcellenceReport
from projects.filters import PortfolioFilter
from projects.models import Initiative
from qiportal.templatetags.filter_form import filter_fields
from tests.factories import WardFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        None,
        {"q": "falls <b>", "status": "live", "review_overdue": "on", "sort": "-title", "lead": "Ann"},
        {"status": "", "progress_score": "1.5"},
    ],
)
def test_portfolio_filter_form_matches_the_crispy_pack(query):
    ward = WardFactory(name="Ward & 7")
    if query:
        query = {**query, "ward": str(ward.pk)}
    form = PortfolioFilter(query, queryset=Initiative.objects.all()).form
    fast = parse_html(filter_fields(form))
    assert fast == parse_html(as_crispy_form(form, "nhsuk"))
    assert ("Ward &amp; 7" in str(fast)) and ("(optional)" in str(fast))


def test_a_field_with_errors_is_rendered_by_the_pack_with_its_error_message():
    form = PortfolioFilter({"status": "nonsense"}, queryset=Initiative.objects.all()).form
    assert not form.is_valid()
    html = filter_fields(form)
    assert 'id="div_id_status" class="nhsuk-form-group nhsuk-form-group--error"' in html
    assert "Select a valid choice" in html


@pytest.mark.parametrize(
    "query", [None, {"state": "conversation_held", "week_day": "3", "week_month": "3", "week_year": "2026"}]
)
def test_the_excellence_filter_form_matches_the_crispy_pack(query):

    WardFactory(name="Oak")
    filterset = ReportFilter(query, queryset=ExcellenceReport.objects.all())
    form = filterset.form
    if query:
        assert form.is_valid(), form.errors  # a form with errors is drawn by the pack itself
    page = get_template("excellence/report_list.html").template.source
    assert "{% filter_fields filter_form %}" in page
    start = page.index('<form method="get" novalidate>')
    fast = page[start : page.index("</form>", start) + len("</form>")]
    rendered = Template("{% load filter_form %}" + fast).render(Context({"filter_form": form}))
    assert parse_html(rendered) == parse_html(render_crispy_form(form, form.helper))


def test_a_ward_list_read_by_name_offers_and_accepts_what_djangos_field_does():
    from django import forms

    from qiportal.models import Ward
    from qiportal.widgets import NamedModelChoiceField

    oak, elm = WardFactory(name="Oak & Ash Ward"), WardFactory(name="Elm Ward")
    closed = WardFactory(name="Closed Ward", is_active=False)
    active = Ward.objects.filter(is_active=True)
    ours = NamedModelChoiceField(queryset=active, empty_label="Any ward")
    django = forms.ModelChoiceField(queryset=active, empty_label="Any ward")
    assert parse_html(ours.widget.render("ward", elm.pk)) == parse_html(django.widget.render("ward", elm.pk))
    assert [label for _, label in ours.choices] == ["Any ward", "Elm Ward", "Oak & Ash Ward"]
    assert ours.clean(str(oak.pk)) == oak
    with pytest.raises(forms.ValidationError):
        ours.clean(str(closed.pk))  # what is sent is checked against the queryset, as before


def test_the_logs_ward_list_is_read_as_names_not_rows(client, qi_lead, ward):
    from django.db.models.signals import post_init
    from django.urls import reverse

    from qiportal.models import Ward

    WardFactory.create_batch(30)
    client.force_login(qi_lead)
    made = []

    def count(sender, **kwargs):
        made.append(sender)

    post_init.connect(count, sender=Ward)
    try:
        page = client.get(reverse("projects:portfolio")).content.decode()
    finally:
        post_init.disconnect(count, sender=Ward)
    assert page.count("<option") >= 31 + 1  # every ward is offered...
    assert f'<option value="{ward.pk}">{ward.name}</option>' in page
    assert len(made) < 5, len(made)  # ...without a row object for each
