"""List filters shared by the feature apps' filter sets (django-filter)."""

import django_filters

from qiportal.widgets import NamedModelChoiceField


class NamedChoiceFilter(django_filters.ModelChoiceFilter):
    """A ModelChoiceFilter whose list is read as (id, name) values (qiportal.widgets.ByName): for wards."""

    field_class = NamedModelChoiceField
