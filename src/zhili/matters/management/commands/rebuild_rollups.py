from django.core.management.base import BaseCommand

from zhili.matters.rollups import rebuild


class Command(BaseCommand):
    help = "从诉求事件重新计算全部统计汇总（可重复执行；批量导入后使用）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--batch", type=int, default=1000, help="每批处理的诉求数")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        result = rebuild(batch=max(1, opts["batch"]), say=lambda msg: self.stdout.write(msg))
        self.stdout.write(f"统计汇总已重算：{result['matters']} 件诉求，{result['events']} 个事件")
