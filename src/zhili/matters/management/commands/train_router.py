from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhili.matters import routing


class Command(BaseCommand):
    help = "用历史派遣记录（未被退单的）训练派单建议模型，保存到 var/models/router.joblib"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--test-size", type=float, default=0.2, help="留出用于评估准确率的比例（默认 0.2）"
        )
        parser.add_argument(
            "--min-samples", type=int, default=20, help="至少需要的派遣记录数（默认 20）"
        )
        parser.add_argument(
            "--days", type=int, default=365, help="只用最近多少天的派遣记录（默认 365，0 为全部）"
        )

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        if not 0 < opts["test_size"] < 1:
            raise CommandError("--test-size 须在 0 和 1 之间")
        try:
            result = routing.train(
                test_size=opts["test_size"], min_samples=opts["min_samples"], days=opts["days"]
            )
        except routing.NotEnoughData as exc:
            raise CommandError(str(exc)) from exc
        accuracy = "样本太少，未评估" if result.accuracy is None else f"{result.accuracy:.1%}"
        self.stdout.write(f"训练时间：{timezone.localtime(result.trained_at):%Y-%m-%d %H:%M:%S}")
        self.stdout.write(f"样本数：{result.samples}（{result.units} 个单位）")
        self.stdout.write(f"留出集准确率：{accuracy}")
        self.stdout.write(self.style.SUCCESS(f"模型已保存：{result.path}"))
