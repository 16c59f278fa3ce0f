"""Ship the check, version 2: publish the new shipped content on installations that have content.

A fresh installation has nothing published yet; `seed_content` publishes the shipped
content as version 1 there, and this does nothing. An installation running the first
check gets its working copy replaced by the shipped content and a new version
published; the versions already published, and the results stored against them, stay
as they are (see `quiz.content.upgrade_to_seed`).

It uses the real models through `quiz.content`, not the historical ones: the content
loader is the one `seed_content` uses, and this migration's schema is the current one.
A later migration that changes these models must keep this one working (or replace
the call with a frozen copy).
"""

from django.db import migrations


def publish_check_v2(apps, schema_editor):
    from quiz import content

    content.upgrade_to_seed()


class Migration(migrations.Migration):
    # After the Chinese fields too: the real models this uses have them.
    dependencies = [("quiz", "0006_content_in_chinese")]

    operations = [migrations.RunPython(publish_check_v2, migrations.RunPython.noop)]
