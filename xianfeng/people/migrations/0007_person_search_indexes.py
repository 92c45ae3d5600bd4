"""Member and person search served by indexes on PostgreSQL (issue 11): a trigram GIN index for
a name containing the query (``name LIKE '%王%'``) and pattern indexes for the pinyin and the
initials starting with it (``LIKE 'wang%'``). SQLite runs the same queries without them.

pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS person_name_trgm ON people_person USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS person_pinyin_prefix "
    "ON people_person (name_pinyin varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS person_initials_prefix "
    "ON people_person (name_initials varchar_pattern_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS person_name_trgm",
    "DROP INDEX IF EXISTS person_pinyin_prefix",
    "DROP INDEX IF EXISTS person_initials_prefix",
    # The extension stays: another database object may use it by then.
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("people", "0006_encrypt_id_number_and_mobile")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
