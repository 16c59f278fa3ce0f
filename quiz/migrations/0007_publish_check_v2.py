"""Ship the check, version 2: publish the new shipped content on installations that have content.

A fresh installation has nothing published yet; `seed_content` publishes the shipped
content as version 1 there, and this does nothing. An installation running the first
check gets its working copy replaced by the shipped content and a new version
published; the versions already published, and the results stored against them, stay
as they are (see `quiz.services.content_upgrade_to_seed`).

It used the real models through `quiz.content`, so it only works while they match this
migration's schema. 0008 added fields to them (the check v3), so it now does nothing:
0009 publishes the newest shipped check (which holds everything of this one) once those
fields exist. Installations that already ran it are not affected.
"""

from django.db import migrations


def publish_check_v2(apps, schema_editor):
    # Superseded by 0009_publish_check_v3 (see the docstring).
    return None


class Migration(migrations.Migration):
    # After the Chinese fields too: the real models this uses have them.
    dependencies = [("quiz", "0006_content_in_chinese")]

    operations = [migrations.RunPython(publish_check_v2, migrations.RunPython.noop)]
