"""Before pairings become unique per kind and pair of organizations (whichever side each is
on): stop, naming them, if duplicates exist. They cannot be renamed, and merging two pairings'
commitments, dates and history is a decision for the people who signed them, not a migration."""

from collections import defaultdict

from django.db import migrations


def refuse_duplicates(apps, schema_editor):
    Pairing = apps.get_model("orgs", "Pairing")
    groups = defaultdict(list)
    rows = Pairing.objects.order_by("id").values_list("id", "kind", "org_a_id", "org_b_id")
    for pk, kind, a, b in rows.iterator():
        groups[(kind, min(a, b), max(a, b))].append(pk)
    duplicates = [(key, ids) for key, ids in groups.items() if len(ids) > 1]
    if duplicates:
        lines = "\n".join(
            f"  类型 {kind}，组织 {low} 与 {high}：结对编号 {'、'.join(map(str, ids))}"
            for (kind, low, high), ids in duplicates
        )
        raise RuntimeError(
            "有重复的结对共建（同一类型、同一对组织），无法加上唯一约束：\n"
            f"{lines}\n"
            "请在管理后台 /admin/orgs/pairing/ 把每组的承诺合并到一条并删除其余的，再运行迁移。"
        )


class Migration(migrations.Migration):
    dependencies = [("orgs", "0003_path_prefix_index")]
    operations = [migrations.RunPython(refuse_duplicates, migrations.RunPython.noop)]
