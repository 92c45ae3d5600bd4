import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orgs", "0004_pairing_duplicates")]

    operations = [
        migrations.AddConstraint(
            model_name="pairing",
            constraint=models.UniqueConstraint(
                models.F("kind"),
                django.db.models.functions.comparison.Least("org_a", "org_b"),
                django.db.models.functions.comparison.Greatest("org_a", "org_b"),
                name="pairing_unique_kind_pair",
                violation_error_code="unique",
                violation_error_message="这两个组织之间已存在同一类型的结对。",
            ),
        ),
    ]
