"""The contact log's grouped columns required and one row a day a constraint (after 0005 has
filled them in and merged the rows already written)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0005_contact_access_grouped"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contactaccess",
            name="day",
            field=models.DateField(
                help_text="首次查看的当地日期：同一天的查看合为一行", verbose_name="日期"
            ),
        ),
        migrations.AlterField(
            model_name="contactaccess",
            name="last_at",
            field=models.DateTimeField(verbose_name="最后查看时间"),
        ),
        migrations.AlterField(
            model_name="contactaccess",
            name="at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="首次查看时间"),
        ),
        migrations.AlterModelOptions(
            name="contactaccess",
            options={
                "ordering": ["-last_at", "-id"],
                "verbose_name": "群众联系方式查看记录",
                "verbose_name_plural": "群众联系方式查看记录",
            },
        ),
        migrations.AddConstraint(
            model_name="contactaccess",
            constraint=models.UniqueConstraint(
                fields=("user", "order", "channel", "fields", "day"),
                name="contactaccess_one_row_a_day",
            ),
        ),
    ]
