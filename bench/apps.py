from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Installed only by bench.settings and the test settings: the trust-scale generator and `seed_scale`."""

    name = "bench"
    verbose_name = "Benchmarks"
