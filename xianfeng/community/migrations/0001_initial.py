"""Townsmen and their contacts move here from ``work`` (state only: the tables keep their
names, ``Meta.db_table``); ``work.0004`` then drops them from its state."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("orgs", "0003_path_prefix_index"),
        ("people", "0003_member_cases"),
        ("visits", "0001_initial"),
        ("work", "0003_townsmen"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist (work_visit, ...): only Django's state moves here.
            state_operations=[
                migrations.CreateModel(
                    name="HistoricalTownsman",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=50, verbose_name="姓名")),
                        ("phone", models.CharField(blank=True, max_length=20, verbose_name="电话")),
                        (
                            "hometown",
                            models.CharField(blank=True, max_length=100, verbose_name="老家"),
                        ),
                        (
                            "whereabouts",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="现住址或务工地点"
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="备注")),
                        ("active", models.BooleanField(default=True, verbose_name="结对中")),
                        (
                            "created_at",
                            models.DateTimeField(
                                blank=True, editable=False, verbose_name="结对时间"
                            ),
                        ),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "member",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="people.partymember",
                                verbose_name="结对流动党员",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="orgs.organization",
                                verbose_name="所属组织",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="people.person",
                                verbose_name="登记人员",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical 结对老乡",
                        "verbose_name_plural": "historical 结对老乡",
                        "db_table": "work_historicaltownsman",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="Townsman",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=50, verbose_name="姓名")),
                        ("phone", models.CharField(blank=True, max_length=20, verbose_name="电话")),
                        (
                            "hometown",
                            models.CharField(blank=True, max_length=100, verbose_name="老家"),
                        ),
                        (
                            "whereabouts",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="现住址或务工地点"
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="备注")),
                        ("active", models.BooleanField(default=True, verbose_name="结对中")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="结对时间"),
                        ),
                        (
                            "member",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="townsmen",
                                to="people.partymember",
                                verbose_name="结对流动党员",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                editable=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="orgs.organization",
                                verbose_name="所属组织",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="people.person",
                                verbose_name="登记人员",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "结对老乡",
                        "verbose_name_plural": "结对老乡",
                        "db_table": "work_townsman",
                        "ordering": ["-active", "name", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="TownsmanContact",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "way",
                            models.CharField(
                                choices=[
                                    ("visit", "上门走访"),
                                    ("phone", "电话"),
                                    ("message", "微信/短信"),
                                    ("gathering", "集中活动"),
                                ],
                                max_length=10,
                                verbose_name="联系方式",
                            ),
                        ),
                        ("contacted_at", models.DateTimeField(verbose_name="联系时间")),
                        ("purposes", models.JSONField(default=list, verbose_name="事项")),
                        ("findings", models.TextField(blank=True, verbose_name="情况")),
                        (
                            "raises_hazard",
                            models.BooleanField(default=False, verbose_name="发现安全隐患"),
                        ),
                        (
                            "client_key",
                            models.CharField(blank=True, max_length=64, verbose_name="提交标识"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="登记时间"),
                        ),
                        (
                            "member",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="townsman_contacts",
                                to="people.partymember",
                                verbose_name="联系党员",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                editable=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="orgs.organization",
                                verbose_name="所属组织",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="登记人",
                            ),
                        ),
                        (
                            "townsman",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="contacts",
                                to="community.townsman",
                                verbose_name="老乡",
                            ),
                        ),
                        (
                            "visit",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="townsman_contact",
                                to="visits.visit",
                                verbose_name="走访记录",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "老乡联系记录",
                        "verbose_name_plural": "老乡联系记录",
                        "db_table": "work_townsmancontact",
                        "ordering": ["-contacted_at", "-id"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="townsman",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("active", True)),
                        fields=("member", "name", "phone"),
                        name="townsman_once_per_member",
                    ),
                ),
                migrations.AddIndex(
                    model_name="townsmancontact",
                    index=models.Index(
                        fields=["townsman", "contacted_at"], name="contact_townsman_time"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="townsmancontact",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("client_key", ""), _negated=True),
                        fields=("recorded_by", "client_key"),
                        name="contact_once_per_client_key",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
