from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("places", "0003_zone_duplicate_names")]

    operations = [
        migrations.AddConstraint(
            model_name="responsibilityzone",
            constraint=models.UniqueConstraint(
                fields=("organization", "name"),
                name="zone_unique_name_in_org",
                violation_error_code="unique",
                violation_error_message="该党组织下已存在同名的责任区。",
            ),
        ),
    ]
