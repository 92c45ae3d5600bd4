"""Run the periodic jobs once, here and now (the embedded default's scheduler is cron)::

    */15 * * * *  cd /srv/xianfeng && .venv/bin/python manage.py run_periodic_jobs

Every installed app's periodic jobs (``<app>/periodic.py``, found by
``core.jobs.periodic_jobs()``). Each run is a ``JobRun`` row like any other job. ``--queue``
hands them to the configured backend instead (Celery workers), which is what Celery beat does
in production.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.i18n import command_help
from xianfeng.core.jobs import enqueue, execute, periodic_jobs


class Command(BaseCommand):
    help = command_help(gettext_lazy("运行一次全部定时任务（到期提醒、逾期标记与升级、每日简报）"))

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--only", action="append", choices=list(periodic_jobs()), help=_("只运行这一项")
        )
        parser.add_argument(
            "--queue", action="store_true", help=_("交给配置的后台（如 Celery）而不是在本进程运行")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["only"] or list(periodic_jobs())
        for name in names:
            if options["queue"] and settings.XIANFENG_JOBS_BACKEND == "celery":
                with transaction.atomic():
                    run = enqueue(name, label=name)
                self.stdout.write(f"{name}: queued as job {run.pk}")
                continue
            backend = settings.XIANFENG_JOBS_BACKEND
            settings.XIANFENG_JOBS_BACKEND = "immediate"
            try:
                with transaction.atomic():
                    run = enqueue(name, label=name)
            finally:
                settings.XIANFENG_JOBS_BACKEND = backend
            run = execute(run.pk)
            self.stdout.write(f"{name}: {run.status} {run.result}")
