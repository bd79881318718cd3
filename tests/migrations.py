"""Running a data migration in a test: move the apps to a migration, and leave the schema current afterwards.

A test that stops the schema part way (at the migration it checks) leaves later tests without the columns newer
migrations add ("no such column" in whichever test happens to run next), so the `migrator` fixture
(tests/conftest.py) always migrates everything forward again when the test ends.
"""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(*targets: tuple[str, str]):
    """Migrate to the given (app, migration) nodes, forwards or backwards; returns the apps as they are there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets))
    return executor.loader.project_state(list(targets)).apps
