"""Visits, photos and household responsibility move here from ``work`` (state only: the
tables keep their names, ``Meta.db_table``); ``work.0004`` then drops them from its state."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("orgs", "0003_path_prefix_index"),
        ("people", "0003_member_cases"),
        ("places", "0002_care_tags"),
        ("work", "0003_townsmen"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist (work_visit, ...): only Django's state moves here.
            state_operations=[
                migrations.CreateModel(
                    name="HistoricalHouseholdResponsibility",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="说明")),
                        (
                            "assigned_at",
                            models.DateTimeField(
                                blank=True, editable=False, verbose_name="指派时间"
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
                            "assigned_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="指派人",
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
                            "household",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="places.household",
                                verbose_name="住户",
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
                                verbose_name="负责党员",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical 住户责任人",
                        "verbose_name_plural": "historical 住户责任人",
                        "db_table": "work_historicalhouseholdresponsibility",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="Visit",
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
                        ("visited_at", models.DateTimeField(verbose_name="走访时间")),
                        ("purposes", models.JSONField(default=list, verbose_name="走访事项")),
                        ("findings", models.TextField(blank=True, verbose_name="发现情况")),
                        ("suggestions", models.TextField(blank=True, verbose_name="意见建议")),
                        (
                            "raises_hazard",
                            models.BooleanField(default=False, verbose_name="发现安全隐患，需立案"),
                        ),
                        (
                            "raises_request",
                            models.BooleanField(default=False, verbose_name="群众有诉求，需办理"),
                        ),
                        (
                            "latitude",
                            models.DecimalField(
                                blank=True,
                                decimal_places=6,
                                max_digits=9,
                                null=True,
                                verbose_name="纬度",
                            ),
                        ),
                        (
                            "longitude",
                            models.DecimalField(
                                blank=True,
                                decimal_places=6,
                                max_digits=9,
                                null=True,
                                verbose_name="经度",
                            ),
                        ),
                        (
                            "outside_reason",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="责任范围外走访的理由"
                            ),
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
                            "building",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="visits",
                                to="places.building",
                                verbose_name="楼栋",
                            ),
                        ),
                        (
                            "household",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="visits",
                                to="places.household",
                                verbose_name="住户",
                            ),
                        ),
                        (
                            "member",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="visits",
                                to="people.partymember",
                                verbose_name="走访党员",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                editable=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="visits",
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
                            "reported_to",
                            models.ForeignKey(
                                blank=True,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="orgs.organization",
                                verbose_name="报告组织",
                            ),
                        ),
                        (
                            "task",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="visits",
                                to="work.task",
                                verbose_name="关联任务",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "走访记录",
                        "verbose_name_plural": "走访记录",
                        "db_table": "work_visit",
                        "ordering": ["-visited_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="Photo",
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
                        ("image", models.FileField(upload_to="work/%Y/%m/", verbose_name="照片")),
                        ("content_type", models.CharField(max_length=20, verbose_name="类型")),
                        ("size", models.PositiveIntegerField(verbose_name="大小（字节）")),
                        (
                            "uploaded_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="上传时间"),
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
                            "task",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="photos",
                                to="work.task",
                                verbose_name="任务",
                            ),
                        ),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="上传人",
                            ),
                        ),
                        (
                            "visit",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="photos",
                                to="visits.visit",
                                verbose_name="走访",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "照片",
                        "verbose_name_plural": "照片",
                        "db_table": "work_photo",
                        "ordering": ["id"],
                    },
                ),
                migrations.CreateModel(
                    name="HouseholdResponsibility",
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
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="说明")),
                        (
                            "assigned_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="指派时间"),
                        ),
                        (
                            "assigned_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="指派人",
                            ),
                        ),
                        (
                            "household",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="responsibilities",
                                to="places.household",
                                verbose_name="住户",
                            ),
                        ),
                        (
                            "member",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="household_responsibilities",
                                to="people.partymember",
                                verbose_name="负责党员",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "住户责任人",
                        "verbose_name_plural": "住户责任人",
                        "db_table": "work_householdresponsibility",
                        "ordering": ["household_id", "id"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("household", "member"), name="household_member_once"
                            )
                        ],
                    },
                ),
                migrations.AddIndex(
                    model_name="visit",
                    index=models.Index(
                        fields=["household", "visited_at"], name="visit_household_time"
                    ),
                ),
                migrations.AddIndex(
                    model_name="visit",
                    index=models.Index(
                        fields=["organization", "visited_at", "household"], name="visit_org_time_hh"
                    ),
                ),
                migrations.AddIndex(
                    model_name="visit",
                    index=models.Index(fields=["member", "visited_at"], name="visit_member_time"),
                ),
                migrations.AddConstraint(
                    model_name="visit",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("client_key", ""), _negated=True),
                        fields=("recorded_by", "client_key"),
                        name="visit_once_per_client_key",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
