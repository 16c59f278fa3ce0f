"""Ship the check v3 with tips that fit (issue 25, part 4): symptom tips shown only to
the people who reported the symptom, the first tips covering the two strongest causes,
and cause names that match the answers behind them.

It used the real models through `quiz.content`, so it only works while they match this
migration's schema. 0014 gave each text a field per language, so this now does nothing:
0014 publishes the newest shipped check (which holds everything of this one) once those
fields exist, on an installation whose newest version is older. Installations that
already ran it are not affected.
"""

from django.db import migrations


def publish_tip_conditions(apps, schema_editor):
    # Superseded by 0014_content_languages (see the docstring).
    return None


class Migration(migrations.Migration):
    dependencies = [("quiz", "0010_tip_show_if")]

    operations = [migrations.RunPython(publish_tip_conditions, migrations.RunPython.noop)]
