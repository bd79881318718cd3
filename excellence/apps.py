from django.apps import AppConfig


class ExcellenceConfig(AppConfig):
    name = "excellence"
    verbose_name = "Learning from Excellence"
