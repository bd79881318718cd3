from datetime import timedelta

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit

from excellence.models import ExcellenceReport, Theme
from qiportal.filters import NamedChoiceFilter
from qiportal.models import Ward
from qiportal.widgets import DateField


class DateBoxesFilter(django_filters.DateFilter):
    field_class = DateField


class ReportFilter(django_filters.FilterSet):
    ward = NamedChoiceFilter(
        label="Ward",
        queryset=Ward.objects.filter(is_active=True).only("pk", "name"),  # the chosen ward: its name is all we use
        method="filter_ward",
        empty_label="All wards",
    )
    theme = django_filters.ModelChoiceFilter(
        label="Value or theme",
        queryset=Theme.objects.filter(is_active=True),
        field_name="tags",
        empty_label="All values and themes",
    )
    week = DateBoxesFilter(
        label="Week including",
        subject="The week",
        method="filter_week",
        help_text="Any day of the week, for example 16 3 2026",
    )
    state = django_filters.ChoiceFilter(
        label="Follow-up", choices=ExcellenceReport.State.choices, empty_label="Any follow-up state"
    )

    class Meta:
        model = ExcellenceReport
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.helper = FormHelper(self.form)
        self.form.helper.form_method = "get"
        self.form.helper.add_input(Submit("apply", "Apply filters", css_class="nhsuk-button--secondary"))

    def filter_ward(self, queryset, name, value):
        return queryset.about_ward(value)

    def filter_week(self, queryset, name, value):
        monday = value - timedelta(days=value.weekday())
        return queryset.filter(created_at__date__gte=monday, created_at__date__lt=monday + timedelta(weeks=1))
