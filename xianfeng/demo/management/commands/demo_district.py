"""``manage.py demo_district --scale small|district``: build the demo district (idempotent)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.i18n import command_help
from xianfeng.demo.base import SCALES
from xianfeng.demo.district import build_demo_district


class Command(BaseCommand):
    help = command_help(
        gettext_lazy("生成演示区县数据（固定随机种子，可重复运行，只补建缺少的数据）。")
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="district",
            help=_("district：一个区的规模（约1.1万党员、8145栋出租屋）；small：测试用的小样本。"),
        )
        parser.add_argument(
            "--no-history",
            action="store_true",
            help=_("不为演示数据写历史记录（更快）。"),
        )

    def handle(self, *args: object, **options: object) -> None:
        scale = str(options["scale"])
        verbose = int(options.get("verbosity", 1)) > 1
        started = time.monotonic()
        self.stdout.write(_("生成演示数据（%(scale)s）……") % {"scale": scale})
        created = build_demo_district(
            scale,
            history=not options["no_history"],
            progress=self.stdout.write if verbose else None,
        )
        elapsed = time.monotonic() - started
        if not created:
            done = _("演示数据已齐全，无需新增（%(s).1f 秒）。") % {"s": elapsed}
            self.stdout.write(self.style.SUCCESS(done))
            return
        for label, count in sorted(created.items()):
            self.stdout.write(f"  {label}: +{count}")
        self.stdout.write(self.style.SUCCESS(_("演示数据已生成（%(s).1f 秒）。") % {"s": elapsed}))
