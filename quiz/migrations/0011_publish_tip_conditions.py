"""Ship the check v3 with tips that fit (issue 25, part 4): symptom tips shown only to
the people who reported the symptom, the first tips covering the two strongest causes,
and cause names that match the answers behind them.

As 0009 did: an installation with content gets its working copy replaced by the shipped
content and a new version published (`services.content_upgrade_to_seed`); the versions already
published, and the results stored against them, stay as they are (their schema keeps
their tip order). A fresh installation has nothing published, and `seed_content`
publishes it there.
"""

from django.db import migrations


def publish_tip_conditions(apps, schema_editor):
    from quiz import services

    services.content_upgrade_to_seed()


class Migration(migrations.Migration):
    dependencies = [("quiz", "0010_tip_show_if")]

    operations = [migrations.RunPython(publish_tip_conditions, migrations.RunPython.noop)]
