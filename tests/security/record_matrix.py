"""Print the status codes every role gets on every URL, in the shape of authorisation_table.EXPECTED.

For adding rows after a new page: run `python -m pytest tests/security/record_matrix.py -s -p no:logging`
and check each printed row against what the page should allow before copying it into the table.
"""

import pytest

from tests.security.matrix import Clients, observe
from tests.security.world import build_world, project_url_names


@pytest.mark.django_db
def test_print_the_matrix(single_sign_on):
    single_sign_on.use_private_key_jwt()  # as the matrix test runs: single sign-on set up, passwords on
    world = build_world()
    clients = Clients(world)
    for name in project_url_names():
        get, post = observe(name, world, clients)
        print(f'    "{name}": {{"GET": {tuple(get)}, "POST": {tuple(post)}}},')
