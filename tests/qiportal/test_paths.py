"""path_for gives the same address as reverse() for every route the models' get_absolute_url use."""

import pytest
from django.urls import reverse, set_script_prefix

from qiportal.paths import path_for

ROUTES = [
    ("ward_detail", "oak-ward_2"),
    ("initiative_detail", 7),
    ("initiative_detail", 918273),
    ("runcharts:measure_detail", 12),
    ("excellence:report_detail", 3),
]


@pytest.mark.parametrize(("name", "key"), ROUTES)
@pytest.mark.parametrize("prefix", ["/", "/qi-portal/"])
def test_path_for_matches_reverse_under_any_script_prefix(name, key, prefix):
    set_script_prefix(prefix)
    try:
        assert path_for(name, key) == reverse(name, args=[key])
        assert path_for(name, key).startswith(prefix)
    finally:
        set_script_prefix("/")


def test_each_object_links_to_its_own_page(db):
    from tests.factories import InitiativeFactory, WardFactory

    ward = WardFactory(slug="birch-ward")
    initiative = InitiativeFactory(wards=[ward])
    assert ward.get_absolute_url() == "/wards/birch-ward/"
    assert initiative.get_absolute_url() == f"/initiatives/{initiative.pk}/"
