#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xianfeng.settings")
    from django.core.management import execute_from_command_line

    if sys.argv[1:2] == ["runserver"]:
        import django
        from django.core.exceptions import ImproperlyConfigured

        django.setup()
        from xianfeng.core.checks import require_secret_key

        try:
            require_secret_key()
        except ImproperlyConfigured as exc:
            sys.exit(f"Refusing to start: {exc}")
    execute_from_command_line(sys.argv)
