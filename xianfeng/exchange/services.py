"""Writes of the exchange app: starting and applying imports, recording exports, merging
persons, and landlords' declarations."""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from xianfeng.core.jobs import check_stale, enqueue, stale_message
from xianfeng.core.scope import active_roles
from xianfeng.core.workflow import StateConflict, take
from xianfeng.exchange.importers import IMPORTERS, import_allowed, run_import
from xianfeng.exchange.models import ImportRun
from xianfeng.exchange.readers import FileRefused, check_upload

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from xianfeng.core.models import User


def _home_org_id(user: User) -> int | None:
    roles = active_roles(user)
    return roles[0].organization_id if roles else None


def import_dir() -> str:
    path = os.path.join(settings.MEDIA_ROOT, "imports")
    os.makedirs(path, exist_ok=True)
    return path


@transaction.atomic
def import_start(*, actor: User, kind: str, upload: UploadedFile) -> ImportRun:
    """Keep the uploaded file and queue its preview (a dry run). A file refused by name or size
    is refused before it is stored."""
    if kind not in IMPORTERS:
        raise ValidationError({"kind": _("请选择要导入的数据类型。")})
    if not import_allowed(actor, kind):
        raise PermissionDenied(_("您的角色无权导入这类数据。"))
    try:
        suffix = check_upload(upload.name, upload.size)
    except FileRefused as exc:
        raise ValidationError({"file": str(exc)}) from None
    if suffix in (".geojson", ".json") and kind != "grids":
        raise ValidationError({"file": _("GeoJSON文件只能用于导入网格。")})
    stored = os.path.join(import_dir(), f"{uuid.uuid4().hex}{suffix}")
    with open(stored, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    run = ImportRun.objects.create(
        kind=kind,
        filename=os.path.basename(upload.name)[:200],
        stored_path=stored,
        size=upload.size,
        created_by=actor,
        organization_id=_home_org_id(actor),
    )
    run.preview_job = enqueue(
        "exchange.import_preview",
        user=actor,
        label=_("预检导入文件：%(name)s") % {"name": run.filename},
        run_id=run.pk,
    )
    run.save(update_fields=["preview_job"])
    return run


def import_fail_stale(run: ImportRun) -> bool:
    """An import whose job's process died ("导入中" forever) becomes FAILED. The import ran in
    one transaction, which the database rolled back with the process: nothing changed."""
    if not run.busy or not check_stale(run.job):
        return False
    return _fail(run, stale_message())


def _fail(run: ImportRun, message: str, outcome: Any = None) -> bool:
    """Take the ``fail`` step if the run's state still allows it (a job and a reaper may
    both get here)."""
    try:
        take(run, "fail", actor=None, message=message, outcome=outcome)
    except StateConflict:
        run.refresh_from_db()
        return False
    return True


def import_fail_stale_jobs(job_ids: list[int]) -> int:
    """Hook of ``core.reap_stale_jobs``: the imports whose job was just reaped."""
    runs = ImportRun.objects.filter(
        models.Q(status=ImportRun.Status.PREVIEWING, preview_job_id__in=job_ids)
        | models.Q(status=ImportRun.Status.APPLYING, apply_job_id__in=job_ids)
    )
    return sum(_fail(run, stale_message()) for run in runs)


def import_apply(*, actor: User, run: ImportRun, valid_only: bool) -> ImportRun:
    """Queue the real import of a previewed file (the ``apply`` step)."""
    return take(run, "apply", actor=actor, valid_only=valid_only)


def import_retry(*, actor: User, run: ImportRun) -> ImportRun:
    """Preview a failed run's kept file again (the ``retry`` step), so it can be applied."""
    return take(run, "retry", actor=actor)


def import_execute(*, run: ImportRun, dry_run: bool, progress: Any = None) -> dict[str, Any]:
    """The body of both jobs: read the file as the user who uploaded it. The outcome is a
    step of the run's workflow (exchange/workflows.py), taken by the job (no actor)."""
    user = run.created_by
    if user is None or not user.is_active:
        _fail(run, _("导入人的账号已停用。"))
        return {}
    try:
        outcome = run_import(
            kind=run.kind,
            path=run.stored_path,
            filename=run.filename,
            user=user,
            dry_run=dry_run,
            valid_only=run.valid_only,
            progress=progress,
        )
    except FileRefused as exc:
        take(run, "refuse", actor=None, message=str(exc))
        return {"refused": str(exc)}
    except Exception:
        _fail(run, _("导入出错，所有改动已撤销，数据未改变。"))
        raise
    if dry_run:
        take(run, "previewed", actor=None, outcome=outcome)
    elif outcome.rejected and not run.valid_only:
        message = _("导入时发现%(n)d行无效，全部未导入，数据未改变。") % {"n": outcome.rejected}
        _fail(run, message, outcome)
    else:
        take(run, "applied", actor=None, outcome=outcome)
    return outcome.as_dict()


def home_org_id(user: User) -> int | None:
    return _home_org_id(user)


def field_values(obj: models.Model) -> dict[str, Any]:
    """A JSON-able snapshot of a row's own fields."""
    out: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        value = getattr(obj, f.attname)
        out[f.attname] = value if isinstance(value, int | str | bool | type(None)) else str(value)
    return out


# --- duplicates and merging ---------------------------------------------------------------


def duplicate_groups(*, user: User, limit: int = 200) -> list[list[Any]]:
    """Persons in scope recorded twice: the same name and mobile (ID numbers are unique in the
    registry, so a second record of a person has a missing or different ID number)."""
    from django.db.models import Count

    from xianfeng.people.models import Person

    scoped = Person.objects.restrict(user)
    # Mobiles are encrypted: equal numbers have equal blind indexes.
    pairs = list(
        scoped.exclude(mobile_index="")
        .values("name", "mobile_index")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("name")[:limit]
    )
    if not pairs:
        return []
    cond = models.Q()
    for pair in pairs:
        cond |= models.Q(name=pair["name"], mobile_index=pair["mobile_index"])
    people = scoped.filter(cond).select_related("organization", "member__branch").order_by("id")
    groups: dict[tuple[str, str], list[Any]] = {}
    for person in people:
        groups.setdefault((person.name, person.mobile_index), []).append(person)
    return [g for g in groups.values() if len(g) > 1]


_FILL_FIELDS = ("id_number", "mobile", "address", "birth_date", "gender", "note")


@transaction.atomic
def person_merge(*, actor: User, keep: Any, drop: Any) -> Any:
    """Merge ``drop`` into ``keep``: every record that pointed to ``drop`` points to ``keep``
    (each change kept in that record's history), ``keep``'s empty fields are filled from
    ``drop``, and ``drop`` is deleted with its history kept and a ``PersonMerge`` recording
    what it held."""
    from xianfeng.core.choices import Action
    from xianfeng.core.services import save_with_history
    from xianfeng.exchange.models import PersonMerge
    from xianfeng.people.models import Person, Resident

    if keep.pk == drop.pk:
        raise ValidationError(_("不能把一个人合并到他自己。"))
    allowed = Person.objects.restrict(actor, Action.CHANGE).filter(pk__in=[keep.pk, drop.pk])
    if allowed.count() != 2:
        raise PermissionDenied(_("两条人员记录都须在您的管辖范围内，且您有权修改。"))
    keep, drop = (
        Person.objects.select_for_update().get(pk=keep.pk),
        Person.objects.select_for_update().get(pk=drop.pk),
    )
    if hasattr(keep, "member") and hasattr(drop, "member"):
        raise ValidationError(
            _("两条记录都登记为党员，不能自动合并；请先核实，把错误的党员记录改正或转出后再合并。")
        )
    snapshot = field_values(drop)
    repointed: dict[str, list[int]] = {}
    for relation in Person._meta.related_objects:
        model = relation.related_model
        name = relation.field.name
        label = model._meta.label_lower
        if relation.many_to_many:
            for obj in model.objects.filter(**{name: drop}):
                getattr(obj, name).add(keep)
                getattr(obj, name).remove(drop)
                repointed.setdefault(label, []).append(obj.pk)
            continue
        for obj in model.objects.filter(**{name: drop}):
            if (
                model is Resident
                and Resident.objects.filter(household_id=obj.household_id, person=keep).exists()
            ):
                obj._history_user = actor
                obj.delete()
                repointed.setdefault(label + ":removed", []).append(obj.pk)
                continue
            if relation.one_to_one and model.objects.filter(**{name: keep}).exists():
                continue
            setattr(obj, name, keep)
            if hasattr(model, "history"):
                obj._history_user = actor
                obj._change_reason = _("人员合并")
            obj.save(update_fields=[relation.field.attname])
            repointed.setdefault(label, []).append(obj.pk)
    for name in _FILL_FIELDS:
        if not getattr(keep, name) and getattr(drop, name):
            setattr(keep, name, getattr(drop, name))
    drop._history_user = actor
    drop._change_reason = _("合并到%(name)s（编号%(id)s）") % {"name": keep.name, "id": keep.pk}
    merged_id = drop.pk
    drop.delete()
    save_with_history(
        instance=keep, actor=actor, reason=_("合并人员记录（编号%(id)s）") % {"id": merged_id}
    )
    PersonMerge.objects.create(
        kept=keep,
        merged_id=merged_id,
        merged_snapshot=snapshot,
        repointed=repointed,
        merged_by=actor,
    )
    return keep
