"""The admin edits each text in both languages side by side: every Chinese field sits on
the same line as its English one, on the same page (inlines too).

Applied to the registered admin classes rather than written into each fieldset, so a
field or fieldset added later gets its Chinese partner without anyone remembering to.
"""

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


def _with_translations(admin_class, translated: tuple[str, ...]) -> None:
    original = admin_class.get_fieldsets

    def get_fieldsets(self, request, obj=None):
        return side_by_side(original(self, request, obj), translated)

    admin_class.get_fieldsets = get_fieldsets


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
