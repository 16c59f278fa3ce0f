"""The admin edits each text in both languages side by side: every Chinese field sits on
the same line as its English one, on the same page (inlines too).

Applied to the registered admin classes rather than written into each fieldset, so a
field or fieldset added later gets its Chinese partner without anyone remembering to.
"""

import copy

from django import forms
from django.contrib import admin

from .models import TRANSLATED_FIELDS, TRANSLATION_SUFFIX


def _paired(line, translated: tuple[str, ...]):
    """One fieldset line with each translated field followed by its Chinese field."""
    names = [line] if isinstance(line, str) else list(line)
    paired = []
    for name in names:
        if name.endswith(TRANSLATION_SUFFIX):
            continue  # placed beside its English field instead
        paired.append(name)
        if name in translated:
            paired.append(f"{name}{TRANSLATION_SUFFIX}")
    return paired[0] if len(paired) == 1 else tuple(paired)


def side_by_side(fieldsets, translated: tuple[str, ...]) -> list:
    return [
        (title, {**options, "fields": [_paired(line, translated) for line in options.get("fields", [])]})
        for title, options in fieldsets
    ]


def _english_widget(admin_class, name: str) -> forms.Widget | None:
    """The widget the admin gives the English field: its text area, or the form's own."""
    rows = getattr(admin_class, "text_areas", {}).get(name)
    if rows:
        return forms.Textarea(attrs={"rows": rows, "cols": 60})
    form_widgets = getattr(getattr(admin_class.form, "_meta", None), "widgets", None) or {}
    return copy.deepcopy(form_widgets[name]) if name in form_widgets else None


def _with_translations(admin_class, translated: tuple[str, ...]) -> None:
    original_fieldsets = admin_class.get_fieldsets
    original_formfield = admin_class.formfield_for_dbfield

    def get_fieldsets(self, request, obj=None):
        return side_by_side(original_fieldsets(self, request, obj), translated)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The Chinese box is the same size as the English one beside it.
        english = db_field.name.removesuffix(TRANSLATION_SUFFIX)
        if english != db_field.name and "widget" not in kwargs:
            widget = _english_widget(admin_class, english)
            if widget is not None:
                kwargs["widget"] = widget
        return original_formfield(self, db_field, request, **kwargs)

    admin_class.get_fieldsets = get_fieldsets
    admin_class.formfield_for_dbfield = formfield_for_dbfield


def place_translations_beside_english(site: admin.AdminSite) -> None:
    """Pair the Chinese fields with the English ones in every admin page and inline."""
    done = set()
    for model, model_admin in site._registry.items():
        for admin_class, edited in [
            (type(model_admin), model),
            *((inline, inline.model) for inline in model_admin.inlines),
        ]:
            translated = TRANSLATED_FIELDS.get(edited)
            if translated and admin_class not in done:
                _with_translations(admin_class, translated)
                done.add(admin_class)
