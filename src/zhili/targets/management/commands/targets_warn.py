from django.core.management.base import BaseCommand

from zhili.targets.tasks import targets_warn


class Command(BaseCommand):
    help = "打表推进预警：提醒临期节点、标记逾期节点并重算得分（每天运行一次；可重复运行）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--plan", type=int, help="只处理这个方案（编号）")
        parser.add_argument(
            "--enqueue", action="store_true", help="放入后台任务队列，而不是立即运行"
        )

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        if opts["enqueue"]:
            result = targets_warn.enqueue(plan_id=opts["plan"])
            self.stdout.write(f"已放入队列：{result.id}")
            return
        for year, counts in targets_warn.call(plan_id=opts["plan"]).items():
            self.stdout.write(
                f"{year} 年方案：临期提醒 {counts['due_soon']} 条，逾期督办 {counts['overdue']} 条"
            )
