from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark suite: a synthetic city at scale and the measures of docs/performance.md."""

    name = "zhili.bench"
    label = "bench"
    verbose_name = "性能基准"
