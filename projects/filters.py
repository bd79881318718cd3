import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from projects.models import Initiative, Status
from projects.services import IHI_SCALE
from qiportal.filters import NamedChoiceFilter
from qiportal.models import Directorate, StrategicPriority, Ward


class PortfolioFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search", help_text="Title, problem or aim")
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    directorate = django_filters.ModelChoiceFilter(
        queryset=Directorate.objects.all(), method="in_directorate", empty_label="Any directorate"
    )
    ward = NamedChoiceFilter(queryset=Ward.objects.all(), method="on_ward", empty_label="Any ward", field_name="wards")
    priority = django_filters.ModelChoiceFilter(
        queryset=StrategicPriority.objects.all(), label="Strategic priority", empty_label="Any priority"
    )
    # Names typed, not chosen from a list: a trust has thousands of staff and the page must stay light.
    lead = django_filters.CharFilter(label="Lead's name", method="person")
    sponsor = django_filters.CharFilter(label="Sponsor's name", method="person")
    review_overdue = django_filters.BooleanFilter(
        label="Review overdue only", method="overdue", widget=forms.CheckboxInput
    )
    stalled = django_filters.BooleanFilter(label="Stalled only", method="stalled_only", widget=forms.CheckboxInput)
    progress_score = django_filters.ChoiceFilter(
        label="Progress score",
        choices=[(str(s), f"{s} – {label}") for s, label, _ in IHI_SCALE],
        empty_label="Any score",
    )
    sort = django_filters.OrderingFilter(
        label="Sort by",
        fields=(
            ("updated_at", "updated"),
            ("title", "title"),
            ("next_review_on", "review"),
            ("progress_score", "progress"),
        ),
        field_labels={
            "updated_at": "Last updated",
            "title": "Title",
            "next_review_on": "Next review",
            "progress_score": "Progress score",
        },
        empty_label="Last updated",
    )

    class Meta:
        model = Initiative
        fields = []

    def person(self, queryset, name, value):
        for term in value.split()[:3]:
            queryset = queryset.filter(
                Q(**{f"{name}__first_name__icontains": term})
                | Q(**{f"{name}__last_name__icontains": term})
                | Q(**{f"{name}__username__iexact": term})
            )
        return queryset

    def search(self, queryset, name, value):
        terms = value.split()
        for term in terms[:6]:
            queryset = queryset.filter(Q(title__icontains=term) | Q(problem__icontains=term) | Q(aim__icontains=term))
        return queryset

    def in_directorate(self, queryset, name, value):
        return queryset.for_directorates([value.pk])  # the dashboard's rule for a directorate's initiatives

    def on_ward(self, queryset, name, value):
        return queryset.touching_ward(value)

    def overdue(self, queryset, name, value):
        if value:
            return queryset.filter(status=Status.LIVE, next_review_on__lt=timezone.localdate())
        return queryset

    def stalled_only(self, queryset, name, value):
        return queryset.stalled() if value else queryset
