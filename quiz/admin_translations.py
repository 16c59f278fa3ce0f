"""The admin edits each text in every language side by side: a text's field per language
(`text_en` and so on, from django-modeltranslation) sits on the line where the
admin class names the text (`text`), on the same page (inlines too).

Applied to the registered admin classes rather than written into each fieldset, so a
field, fieldset or language added later gets its boxes without anyone remembering to.
"""

import copy

from django import forms
from django.contrib import admin

from . import translation


def _paired(line, translated: tuple[str, ...]):
    """One fieldset line with each translated field replaced by its field per language."""
    names = [line] if isinstance(line, str) else list(line)
    paired: list[str] = []
    for name in names:
        if name in translated:
            paired.extend(translation.field_name(name, language) for language in translation.languages())
        else:
            paired.append(name)
    return paired[0] if len(paired) == 1 else tuple(paired)


def side_by_side(fieldsets, translated: tuple[str, ...]) -> list:
    return [
        (title, {**options, "fields": [_paired(line, translated) for line in options.get("fields", [])]})
        for title, options in fieldsets
    ]


def _english_widget(admin_class, name: str) -> forms.Widget | None:
    """The widget the admin class gives the text: its text area, or the form's own."""
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
        # Each language's box is the one the admin class asks for the text.
        text = getattr(db_field, "translated_field", None)
        if text is not None and "widget" not in kwargs:
            widget = _english_widget(admin_class, text.name)
            if widget is not None:
                kwargs["widget"] = widget
        return original_formfield(self, db_field, request, **kwargs)

    admin_class.get_fieldsets = get_fieldsets
    admin_class.formfield_for_dbfield = formfield_for_dbfield


def place_translations_beside_english(site: admin.AdminSite) -> None:
    """Give every translated text a box per language in every admin page and inline."""
    done = set()
    for model, model_admin in site._registry.items():
        for admin_class, edited in [
            (type(model_admin), model),
            *((inline, inline.model) for inline in model_admin.inlines),
        ]:
            translated = translation.TRANSLATED_FIELDS.get(edited)
            if translated and admin_class not in done:
                _with_translations(admin_class, translated)
                done.add(admin_class)
