"""Ship the check, version 3 (issue 25, parts 1-3): the rest of the NHS "see a GP" list,
the signs in pregnancy with the midwife's action, and sudden back and tummy pain or
feeling faint on the emergency screen.

It used the real models through `quiz.content`, so it only works while they match this
migration's schema. 0010 added a field to them (a tip's `show_if`), so it now does
nothing: 0011 publishes the newest shipped check (which holds everything of this one)
once that field exists. Installations that already ran it are not affected.
"""

from django.db import migrations


def publish_check_v3(apps, schema_editor):
    # Superseded by 0011_publish_tip_conditions (see the docstring).
    return None


class Migration(migrations.Migration):
    dependencies = [("quiz", "0008_check_v3_sign_actions")]

    operations = [migrations.RunPython(publish_check_v3, migrations.RunPython.noop)]
