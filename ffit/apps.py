from django.apps import AppConfig


class FfitConfig(AppConfig):
    name = "ffit"
    verbose_name = "FFIT readiness"
