"""Conventions the code keeps (issue 8, item 6), checked on the source so they cannot quietly
come back: no inline styles in templates, settings read only through ``xianfeng/env.py``."""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
# Read once here from the environment: settings through env.py; these two only name the module.
ENV_READERS = {"env.py", "wsgi.py", "celery.py"}


def _sources(pattern: str) -> list[Path]:
    skip = {"migrations", "tests", "vendor"}
    found = sorted(PACKAGE.rglob(pattern))
    return [p for p in found if not skip & set(p.relative_to(PACKAGE).parts)]


def test_templates_have_no_inline_style():
    offenders = [
        f"{p.relative_to(PACKAGE)}:{n}"
        for p in _sources("*.html")
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\sstyle\s*=", line)
    ]
    assert offenders == [], "style= in templates; use a class in static/css: " + ", ".join(
        offenders
    )


def test_settings_are_read_through_env_helpers():
    pattern = re.compile(r"os\.environ|os\.getenv|getattr\(\s*(django_)?settings\s*,")
    offenders = [
        f"{p.relative_to(PACKAGE)}:{n}"
        for p in _sources("*.py")
        if p.name not in ENV_READERS
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == [], "define the setting in settings.py via env.py, read settings.X: " + (
        ", ".join(offenders)
    )


def test_api_schemas_have_unique_names():
    """django-ninja names each OpenAPI component after its class and keeps only the last of
    two same-named schemas, so one endpoint would be documented with the other's shape (the
    fuzzer then finds answers that "violate" it). Every schema class of the API is named once."""
    from ninja import Schema

    import xianfeng.api  # noqa: F401  (imports every app's API module)

    seen: dict[str, list[str]] = {}
    stack = list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("xianfeng.") and ".tests" not in cls.__module__:
            seen.setdefault(cls.__name__, []).append(cls.__module__)
    clashes = {name: sorted(set(mods)) for name, mods in seen.items() if len(set(mods)) > 1}
    assert clashes == {}, f"schemas named twice (rename one): {clashes}"


def test_no_validation_error_code_is_lost_on_a_dict():
    """``ValidationError({"field": "..."}, code="unique")`` drops the code (Django builds each
    field's error from the bare message), so the API answers 400 where a duplicate means 409.
    The code goes on the inner error: ``{"field": ValidationError("...", code="unique")}``."""
    import ast

    offenders = []
    for path in _sources("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "ValidationError"
                and node.args
                and isinstance(node.args[0], ast.Dict)
                and any(k.arg == "code" for k in node.keywords)
            ):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == [], "code= beside a dict is lost: " + ", ".join(offenders)
