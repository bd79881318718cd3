from django.apps import AppConfig


class QiportalConfig(AppConfig):
    name = "qiportal"
    verbose_name = "Organisation and people"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from qiportal.middleware import renewed_at_sign_in

        user_logged_in.connect(renewed_at_sign_in, dispatch_uid="qiportal.renewed_at_sign_in")
