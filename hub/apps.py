from django.apps import AppConfig


class HubConfig(AppConfig):
    """The pages and jobs that bring several apps together: homes, the ward page, the dashboard, the initiative and
    review pages with their measures and readiness, the header's counts, the weekly digest and the job registry."""

    name = "hub"
    verbose_name = "Pages across the apps"
