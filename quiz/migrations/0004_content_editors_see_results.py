"""Let the "Content editors" group read results (aggregate figures, CSV), never change them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Content editors"
CODENAMES = ["view_result"]


def grant(apps, schema_editor):
    # Migration app configs are stubs; see 0002 for why models_module is set.
    app_config = apps.get_app_config("quiz")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="quiz", codename__in=CODENAMES))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="quiz", codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [("quiz", "0003_devices_and_results")]

    operations = [migrations.RunPython(grant, revoke)]
