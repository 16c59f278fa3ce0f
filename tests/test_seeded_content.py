"""The `published` fixture (tests/seeded_content.py) puts back what `content_seed` wrote
once for the test database: it must equal a seed run now, and leave the tables usable."""

from django.db import connection
from seeded_content import restore_seeded_tables

from quiz import content_io, services
from quiz.models import ContentVersion, SiteSettings, TipCategory


def _content_state(seeded_tables) -> dict:
    """What a test can see of the content, ids aside (a fresh seed takes new ones)."""
    with connection.cursor() as cursor:
        counts = {}
        for table in seeded_tables.columns:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    version = ContentVersion.objects.get()
    site = SiteSettings.load()
    return {
        "rows per table": counts,
        "published": (version.number, version.snapshot),
        "working copy": content_io.export_body(),
        "site settings": {field.name: getattr(site, field.name) for field in site._meta.fields if field.name != "id"},
    }


def test_the_restored_tables_hold_what_a_seed_run_now_writes(db, _seeded_tables):
    assert services.content_seed() is not None
    fresh = _content_state(_seeded_tables)

    restore_seeded_tables(_seeded_tables)

    assert _content_state(_seeded_tables) == fresh
    assert fresh["rows per table"]["quiz_question"] > 0


def test_rows_added_after_the_restore_take_ids_of_their_own(published):
    seeded = set(TipCategory.objects.values_list("pk", flat=True))

    added = TipCategory.objects.create(key="added_by_a_test", name="Added", order=99)

    assert added.pk not in seeded
    assert TipCategory.objects.count() == len(seeded) + 1
