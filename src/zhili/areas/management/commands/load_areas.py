from django.core.management.base import BaseCommand

from zhili.areas.geo import boundaries_load_demo
from zhili.areas.loader import base_tree_load, bundled_changes_apply
from zhili.core.system import system_user


class Command(BaseCommand):
    help = "载入重庆市 2023 年统计用区划（区县、乡镇街道、村社区），再依次应用已知的区划变更"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--no-boundaries", action="store_true", help="不载入演示边界")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        actor = system_user()

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"\r  区域 {done}/{total}", ending="")
            self.stdout.flush()

        created = base_tree_load(actor=actor, progress=progress)
        self.stdout.write("")
        self.stdout.write(
            f"基础区划：新增 {created} 个区域" if created else "基础区划：已存在，跳过"
        )
        for change, applied in bundled_changes_apply(actor=actor):
            state = "已应用" if applied else "此前已应用"
            self.stdout.write(f"区划变更 {change.effective} {change.title}：{state}")
        if not opts["no_boundaries"]:
            n = boundaries_load_demo(actor=actor)
            self.stdout.write(f"演示边界：新增 {n} 个")
