"""Content languages by configuration (issue 26, part 1): django-modeltranslation gives
each text a field per language of `settings.LANGUAGES`. The Chinese fields keep their
columns (`text_zh_hans`, now nullable as the library makes them); the English text is
copied into its own field (`text_en`), which the models read from now on. The original
columns (`text`) stay, as the library keeps them.

0011 published the shipped check v3 with tips that fit (`Tip.show_if`) with the real
models, which now have fields this schema only adds here, so 0011 does nothing any more.
It is done here instead, after the copy, exactly as 0011 did
(`quiz.services.content_upgrade_to_seed`), on an installation with published content and no tip
condition yet: one that never ran 0011. One that ran it keeps its working copy and its
versions as they are.
"""

from django.db import migrations, models

# The translated fields at this migration (quiz/translation.py TRANSLATED_FIELDS then).
TEXTS = {
    "sitesettings": (
        "emergency_label",
        "non_emergency_label",
        "disclaimer",
        "limits",
        "action_emergency",
        "action_urgent",
        "action_soon",
        "action_self_care",
        "action_pregnancy",
        "action_coping",
    ),
    "causegroup": ("name", "explanation"),
    "tipcategory": ("name", "description"),
    "tip": ("title", "body"),
    "question": ("text", "help_text"),
    "choice": ("text",),
}


def copy_english(apps, schema_editor):
    for model_name, fields in TEXTS.items():
        model = apps.get_model("quiz", model_name)
        model.objects.update(**{f"{field}_en": models.F(field) for field in fields})


def copy_english_back(apps, schema_editor):
    """Reversed: the English back in its original column, no NULL left in a Chinese one."""
    for model_name, fields in TEXTS.items():
        model = apps.get_model("quiz", model_name)
        for field in fields:
            model.objects.exclude(**{f"{field}_en": None}).update(**{field: models.F(f"{field}_en")})
            model.objects.filter(**{f"{field}_zh_hans": None}).update(**{f"{field}_zh_hans": ""})


def publish_tip_conditions_unless_published(apps, schema_editor):
    from quiz import services

    tips = apps.get_model("quiz", "Tip").objects
    published = apps.get_model("quiz", "ContentVersion").objects.exists()
    if published and not tips.filter(show_if__isnull=False).exists():
        services.content_upgrade_to_seed()


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0013_course_settings"),
    ]

    operations = [
        migrations.AddField(
            model_name="causegroup",
            name="explanation_en",
            field=models.TextField(null=True, verbose_name="explanation"),
        ),
        migrations.AddField(
            model_name="causegroup",
            name="name_en",
            field=models.CharField(max_length=120, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="choice",
            name="text_en",
            field=models.CharField(max_length=300, null=True, verbose_name="text"),
        ),
        migrations.AddField(
            model_name="question",
            name="help_text_en",
            field=models.TextField(blank=True, null=True, verbose_name="help text"),
        ),
        migrations.AddField(
            model_name="question",
            name="text_en",
            field=models.CharField(max_length=300, null=True, verbose_name="text"),
        ),
        migrations.AddField(
            model_name="sitesettings",
            name="action_coping_en",
            field=models.TextField(
                blank=True,
                help_text="Shown to a person worried about the pain or struggling to cope.",
                null=True,
                verbose_name="advice when struggling to cope",
            ),
        ),
        migrations.AddField(
            model_name="sitesettings",
            name="action_emergency_en",
            field=models.TextField(null=True, verbose_name="action for emergency"),
        ),
        migrations.AddField(
            model_name="sitesettings",
            name="action_pregnancy_en",
            field=models.TextField(
                blank=True,
                help_text="Shown for the pregnancy signs: name the midwife or maternity unit.",
                null=True,
                verbose_name="action for signs in pregnancy",
            ),
        ),
        migrations.AddField(
            model_name="sitesettings",
            name="action_self_care_en",
            field=models.TextField(null=True, verbose_name="action for self-care"),
        ),
        migrations.AddField(
            model_name="sitesettings",
            name="action_soon_en",
            field=models.TextField(null=True, verbose_name="action for see a doctor soon"),
        ),
        migrations.AddField(
            model_name="sitesettings",
            name="action_urgent_en",
            field=models.TextField(null=True, verbose_name="action for urgent"),
        ),
        migrations.AddField(
            model_name="sitesettings",
            name="disclaimer_en",
            field=models.TextField(null=True, verbose_name="disclaimer"),
        ),
        migrations.AddField(
            model_name="sitesettings",
            name="emergency_label_en",
            field=models.CharField(max_length=120, null=True, verbose_name="emergency label"),
        ),
        migrations.AddField(
            model_name="sitesettings",
            name="limits_en",
            field=models.TextField(null=True, verbose_name="what this check cannot do"),
        ),
        migrations.AddField(
            model_name="sitesettings",
            name="non_emergency_label_en",
            field=models.CharField(max_length=120, null=True, verbose_name="non-emergency label"),
        ),
        migrations.AddField(
            model_name="tip",
            name="body_en",
            field=models.TextField(null=True, verbose_name="body"),
        ),
        migrations.AddField(
            model_name="tip",
            name="title_en",
            field=models.CharField(max_length=160, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="tipcategory",
            name="description_en",
            field=models.TextField(blank=True, null=True, verbose_name="description"),
        ),
        migrations.AddField(
            model_name="tipcategory",
            name="name_en",
            field=models.CharField(max_length=120, null=True, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="causegroup",
            name="explanation_zh_hans",
            field=models.TextField(null=True, verbose_name="explanation"),
        ),
        migrations.AlterField(
            model_name="causegroup",
            name="name_zh_hans",
            field=models.CharField(max_length=120, null=True, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="choice",
            name="text_zh_hans",
            field=models.CharField(max_length=300, null=True, verbose_name="text"),
        ),
        migrations.AlterField(
            model_name="question",
            name="help_text_zh_hans",
            field=models.TextField(blank=True, null=True, verbose_name="help text"),
        ),
        migrations.AlterField(
            model_name="question",
            name="text_zh_hans",
            field=models.CharField(max_length=300, null=True, verbose_name="text"),
        ),
        migrations.AlterField(
            model_name="sitesettings",
            name="action_coping_zh_hans",
            field=models.TextField(
                blank=True,
                help_text="Shown to a person worried about the pain or struggling to cope.",
                null=True,
                verbose_name="advice when struggling to cope",
            ),
        ),
        migrations.AlterField(
            model_name="sitesettings",
            name="action_emergency_zh_hans",
            field=models.TextField(null=True, verbose_name="action for emergency"),
        ),
        migrations.AlterField(
            model_name="sitesettings",
            name="action_pregnancy_zh_hans",
            field=models.TextField(
                blank=True,
                help_text="Shown for the pregnancy signs: name the midwife or maternity unit.",
                null=True,
                verbose_name="action for signs in pregnancy",
            ),
        ),
        migrations.AlterField(
            model_name="sitesettings",
            name="action_self_care_zh_hans",
            field=models.TextField(null=True, verbose_name="action for self-care"),
        ),
        migrations.AlterField(
            model_name="sitesettings",
            name="action_soon_zh_hans",
            field=models.TextField(null=True, verbose_name="action for see a doctor soon"),
        ),
        migrations.AlterField(
            model_name="sitesettings",
            name="action_urgent_zh_hans",
            field=models.TextField(null=True, verbose_name="action for urgent"),
        ),
        migrations.AlterField(
            model_name="sitesettings",
            name="disclaimer_zh_hans",
            field=models.TextField(null=True, verbose_name="disclaimer"),
        ),
        migrations.AlterField(
            model_name="sitesettings",
            name="emergency_label_zh_hans",
            field=models.CharField(max_length=120, null=True, verbose_name="emergency label"),
        ),
        migrations.AlterField(
            model_name="sitesettings",
            name="limits_zh_hans",
            field=models.TextField(null=True, verbose_name="what this check cannot do"),
        ),
        migrations.AlterField(
            model_name="sitesettings",
            name="non_emergency_label_zh_hans",
            field=models.CharField(max_length=120, null=True, verbose_name="non-emergency label"),
        ),
        migrations.AlterField(
            model_name="tip",
            name="body_zh_hans",
            field=models.TextField(null=True, verbose_name="body"),
        ),
        migrations.AlterField(
            model_name="tip",
            name="title_zh_hans",
            field=models.CharField(max_length=160, null=True, verbose_name="title"),
        ),
        migrations.AlterField(
            model_name="tipcategory",
            name="description_zh_hans",
            field=models.TextField(blank=True, null=True, verbose_name="description"),
        ),
        migrations.AlterField(
            model_name="tipcategory",
            name="name_zh_hans",
            field=models.CharField(max_length=120, null=True, verbose_name="name"),
        ),
        migrations.RunPython(copy_english, copy_english_back),
        migrations.RunPython(publish_tip_conditions_unless_published, migrations.RunPython.noop),
    ]
