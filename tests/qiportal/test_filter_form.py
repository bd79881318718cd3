"""The filter forms rendered without crispy's per-field templates are the same HTML as the crispy pack's."""

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.test.html import parse_html

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
