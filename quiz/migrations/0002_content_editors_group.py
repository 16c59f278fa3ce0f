"""Create the "Content editors" group: edit content and publish, nothing about users."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Content editors"
EDITABLE_MODELS = ["causegroup", "tipcategory", "tip", "question", "choice", "choiceweight", "sitesettings"]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure ours exist now.
    # Migration app configs are stubs without models_module; create_permissions skips
    # those unless told the app has models.
    app_config = apps.get_app_config("quiz")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model in EDITABLE_MODELS for action in ("add", "change", "delete", "view")]
    codenames += ["view_contentversion", "publish_content"]
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.set(Permission.objects.filter(content_type__app_label="quiz", codename__in=codenames))


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
