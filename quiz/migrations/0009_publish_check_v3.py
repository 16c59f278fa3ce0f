"""Ship the check, version 3 (issue 25, parts 1-3): the rest of the NHS "see a GP" list,
the signs in pregnancy with the midwife's action, and sudden back and tummy pain or
feeling faint on the emergency screen.

As 0007 did for the check v2: an installation with content gets its working copy
replaced by the shipped content and a new version published (`upgrade_to_seed`); the
versions already published, and the results stored against them, stay as they are. A
fresh installation has nothing published, and `seed_content` publishes it there.
"""

from django.db import migrations


def publish_check_v3(apps, schema_editor):
    from quiz import content

    content.upgrade_to_seed()


class Migration(migrations.Migration):
    dependencies = [("quiz", "0008_check_v3_sign_actions")]

    operations = [migrations.RunPython(publish_check_v3, migrations.RunPython.noop)]
