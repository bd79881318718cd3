from django.apps import AppConfig


class ExcellenceConfig(AppConfig):
    name = "excellence"
    verbose_name = "Learning from Excellence"

    def ready(self):
        from excellence import tallies  # noqa: F401  # the signals that keep the whole trust's counts
