"""Django admin for BackCare content: edit the working copy, then publish it."""

from collections.abc import Mapping, Sequence
from typing import cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, get_supported_language_variant
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from . import content, content_diff, results_report, services, translation
from .admin_conditions import QuestionConditionForm, TipConditionForm
from .admin_translations import place_translations_beside_english
from .contracts import Snapshot
from .i18n import readable_datetime
from .models import (
    CauseGroup,
    Choice,
    ChoiceWeight,
    ContentVersion,
    Device,
    Question,
    Result,
    ResultDailyCount,
    ResultDailyCountQuerySet,
    ResultQuerySet,
    SiteSettings,
    Tip,
    TipCategory,
)


def _text_area(rows: int, cols: int = 60) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "cols": cols})


class StaffStylesMixin(admin.ModelAdmin):
    """BackCare's additions to the admin's styles (lists that fit 1280 px, the condition boxes)."""

    class Media:
        css = {"all": ["staff/admin.css"]}


class TextAreasMixin(admin.ModelAdmin):
    """Texts people read get a box tall enough to see them whole: field name -> rows."""

    text_areas: dict[str, int] = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.text_areas:
            kwargs["widget"] = _text_area(self.text_areas[db_field.name])
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def is_published_key(item, published: set[str] | frozenset[str]) -> bool:
    """Whether a published version used `item`'s key (`published`: that kind's keys from
    `content_diff.published_keys`). Such a key is read-only wherever the admin shows
    it: stored results refer to it, so its meaning must not change. A new key (a new
    item) is how meaning changes. A choice's key is `question.choice`."""
    if item.pk is None:  # a row being added
        return False
    key = f"{item.question.key}.{item.key}" if isinstance(item, Choice) else item.key
    return key in published


class PublishedKeyMixin(admin.ModelAdmin):
    """An item's key (and `published_readonly`'s other fields) read-only once published."""

    published_kind = ""
    published_readonly: tuple[str, ...] = ("key",)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and is_published_key(obj, content_diff.published_keys()[self.published_kind]):
            readonly += self.published_readonly
        return readonly


class ChoiceForm(forms.ModelForm):
    """A choice row: its key becomes read-only once a published version used it."""

    published_choice_keys: frozenset = frozenset()

    class Meta:
        model = Choice
        # The inline's own `fields` decide which fields the rows have.
        fields = ["key", "text"]
        # Narrower than on a page of its own, so the row and its weights fit 1280 px.
        widgets = {"text": _text_area(2, cols=30)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if is_published_key(instance, self.published_choice_keys):
            self.fields["key"].disabled = True
            self.fields["key"].help_text = _("Published: read-only. Add a new choice to change its meaning.")


class ChoiceInline(admin.TabularInline):
    model = Choice
    form = ChoiceForm
    extra = 0
    fields = ["order", "key", "text", "urgency", "stops_quiz", "exclusive", "unsure"]
    # Weights and a sign's own action live on the choice's own page (Django has no
    # nested inlines, and the row must fit 1280 px).
    show_change_link = True
    readonly_fields = ["weights_summary"]

    def get_fields(self, request, obj=None):
        return [*super().get_fields(request, obj), "weights_summary"]

    def get_queryset(self, request):
        weights = ChoiceWeight.objects.select_related("cause_group")
        return super().get_queryset(request).select_related("question").prefetch_related(Prefetch("weights", weights))

    def get_formset(self, request, obj=None, **kwargs):
        published = frozenset(content_diff.published_keys()["choices"])
        kwargs["form"] = type("ChoiceForm", (ChoiceForm,), {"published_choice_keys": published})
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description=_("weights"))
    def weights_summary(self, obj):
        weights = [(weight.cause_group.name, weight.weight) for weight in obj.weights.all()] if obj.pk else []
        return format_html_join("", "{}: {}<br>", weights) or "—"


class NotLiveUntilPublishedMixin(admin.ModelAdmin):
    """After any save of content (add, change, delete, a list's own edits), say that phones
    see nothing until it is published, with the way to review and publish it: Django's
    "changed successfully" alone reads as if the change were live."""

    def response_add(self, request, obj, post_url_continue=None):
        return self._said_not_live(request, super().response_add(request, obj, post_url_continue))

    def response_change(self, request, obj):
        return self._said_not_live(request, super().response_change(request, obj))

    def response_delete(self, request, obj_display, obj_id):
        return self._said_not_live(request, super().response_delete(request, obj_display, obj_id))

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        # The list's own edits ("_save") and a confirmed bulk delete ("post") redirect once saved.
        saved = request.method == "POST" and ("_save" in request.POST or request.POST.get("post") == "yes")
        return self._said_not_live(request, response) if saved else response

    def _said_not_live(self, request, response):
        """The notice below Django's own, on the page the save leads to (not in a pop-up)."""
        if IS_POPUP_VAR in request.POST or not isinstance(response, HttpResponseRedirect):
            return response
        link_text = (
            _("Review changes and publish content")
            if request.user.has_perm("quiz.publish_content")
            else _("Review changes")
        )
        notice = format_html(
            '{} <a href="{}" class="review-link">{}</a>',
            _("Saved — not live until you publish."),
            reverse("admin:quiz_contentversion_review"),
            link_text,
        )
        self.message_user(request, notice, messages.WARNING)
        return response


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record nobody edits in the admin: published versions, people's results, devices.

    Results and devices go only with "Delete my data" from the phone that sent them.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Question)
class QuestionAdmin(NotLiveUntilPublishedMixin, PublishedKeyMixin, TextAreasMixin, StaffStylesMixin, admin.ModelAdmin):
    form = QuestionConditionForm
    # What people read first; the key, for whoever needs it, last.
    list_display = ["text", "section", "kind", "order", "is_active", "key"]
    list_editable = ["order"]
    list_filter = ["section", "kind", "is_active"]
    search_fields = ["key", "text", "help_text", "choices__text"]
    ordering = ["section", "order", "key"]
    text_areas = {"text": 3, "help_text": 4}
    published_kind = "questions"

    inlines = [ChoiceInline]
    fieldsets = [
        (None, {"fields": ["key", "text", "help_text", "kind", "section", "order", "is_active"]}),
        (_("Show only if"), {"fields": ["show_if"]}),
        (_("Scale questions"), {"fields": ["scale_min", "scale_max"]}),
        (_("Provenance"), {"fields": ["source_paragraph", "source_note"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        """Scale fields only on a scale question; a new one shows them until its kind is saved."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not obj.is_scale:
            return [fieldset for fieldset in fieldsets if "scale_min" not in fieldset[1]["fields"]]
        return fieldsets

    def get_inlines(self, request, obj):
        return [] if obj is not None and obj.is_scale else self.inlines


class ChoiceWeightInline(admin.TabularInline):
    model = ChoiceWeight
    extra = 1
    autocomplete_fields = ["cause_group"]


@admin.register(Choice)
class ChoiceAdmin(NotLiveUntilPublishedMixin, PublishedKeyMixin, TextAreasMixin, StaffStylesMixin, admin.ModelAdmin):
    text_areas = {"text": 2}
    published_kind = "choices"
    # Moving a published choice to another question would change its key too.
    published_readonly = ("question", "key")

    list_display = ["text", "question", "urgency", "stops_quiz", "key"]
    list_filter = ["urgency", "stops_quiz", "question__section"]
    list_select_related = ["question"]
    search_fields = ["key", "text", "question__key", "question__text"]
    autocomplete_fields = ["question"]
    inlines = [ChoiceWeightInline]


class TipInline(admin.TabularInline):
    model = Tip.cause_groups.through
    extra = 0
    verbose_name = _("tip")
    verbose_name_plural = _("tips for this cause group")
    autocomplete_fields = ["tip"]


@admin.register(CauseGroup)
class CauseGroupAdmin(
    NotLiveUntilPublishedMixin, PublishedKeyMixin, TextAreasMixin, StaffStylesMixin, admin.ModelAdmin
):
    text_areas = {"explanation": 5}
    published_kind = "cause_groups"
    list_display = ["name", "order", "source_paragraph", "source_note", "key"]
    list_editable = ["order"]
    search_fields = ["key", "name", "explanation"]
    inlines = [TipInline]


@admin.register(TipCategory)
class TipCategoryAdmin(NotLiveUntilPublishedMixin, PublishedKeyMixin, StaffStylesMixin, admin.ModelAdmin):
    published_kind = "tip_categories"
    list_display = ["name", "order", "key"]
    list_editable = ["order"]
    search_fields = ["key", "name"]


@admin.register(Tip)
class TipAdmin(NotLiveUntilPublishedMixin, PublishedKeyMixin, TextAreasMixin, StaffStylesMixin, admin.ModelAdmin):
    form = TipConditionForm
    text_areas = {"title": 2, "body": 6}
    published_kind = "tips"
    list_display = ["title", "category", "order", "is_active", "key"]
    list_editable = ["order", "is_active"]
    list_filter = ["category", "cause_groups", "is_active"]
    list_select_related = ["category"]
    search_fields = ["key", "title", "body"]
    filter_horizontal = ["cause_groups"]
    fieldsets = [
        (
            None,
            {"fields": ["key", "title", "body", "category", "cause_groups", "order", "is_active", "for_severe_pain"]},
        ),
        # The same two dropdowns a question's show_if has: one condition format, one way to edit it.
        (_("Show only if"), {"fields": ["show_if"]}),
        (_("Provenance"), {"fields": ["source_paragraph", "source_note"]}),
    ]


@admin.register(SiteSettings)
class SiteSettingsAdmin(NotLiveUntilPublishedMixin, admin.ModelAdmin):
    fieldsets = [
        (
            _("Phone numbers"),
            {"fields": ["emergency_number", "emergency_label", "non_emergency_number", "non_emergency_label"]},
        ),
        (_("Wording"), {"fields": ["disclaimer", "limits"]}),
        (
            _("What to do now, by urgency"),
            {"fields": ["action_emergency", "action_urgent", "action_soon", "action_self_care"]},
        ),
        (_("Actions a warning sign adds"), {"fields": ["action_pregnancy", "action_coping"]}),
        (_("Scoring"), {"fields": ["cause_threshold", "severe_pain_from"]}),
        (_("Between checks"), {"fields": ["follow_up_days", "course_weeks", "course_change"]}),
    ]

    def has_add_permission(self, request):
        # There is exactly one settings row; it comes with the shipped content.
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ContentVersion)
class ContentVersionAdmin(ReadOnlyAdmin):
    """Published versions are a read-only record; new ones come from the publish button,
    after the editor has reviewed what changed."""

    list_display = ["number", "short_hash", "published_at", "published_by"]
    list_select_related = ["published_by"]
    readonly_fields = [
        "number",
        "content_hash",
        "published_at",
        "published_by",
        "snapshot_summary",
        "changes_from_previous",
        "snapshot",
    ]
    change_list_template = "admin/quiz/contentversion/change_list.html"

    @admin.display(description=_("hash"))
    def short_hash(self, obj):
        return obj.content_hash[:12]

    @admin.display(description=_("contents"))
    def snapshot_summary(self, obj):
        snapshot = obj.snapshot
        rows = [
            (_("Questions"), len(snapshot["questions"])),
            (_("Tips"), len(snapshot["tips"])),
            (_("Cause groups"), len(snapshot["cause_groups"])),
        ]
        return format_html_join("", "<p>{}: {}</p>", rows)

    @admin.display(description=_("changes from the version before"))
    def changes_from_previous(self, obj):
        changes = content_diff.changes_in(obj)
        if not changes:
            return _("None: the content is the same as the version before.")
        return render_to_string("admin/quiz/contentversion/changes_table.html", {"changes": changes})

    def get_urls(self):
        publish_view = self.admin_site.admin_view(self.publish_view)
        review_view = self.admin_site.admin_view(self.review_view)
        preview_view = self.admin_site.admin_view(self.preview_view)
        preview_result_view = self.admin_site.admin_view(self.preview_result_view)
        draft_view = self.admin_site.admin_view(never_cache(self.draft_content_view))
        return [
            path("publish/", publish_view, name="quiz_contentversion_publish"),
            path("review/", review_view, name="quiz_contentversion_review"),
            path("preview/", preview_view, name="quiz_contentversion_preview"),
            path("preview/result/", preview_result_view, name="quiz_contentversion_preview_result"),
            path("preview/content.json", draft_view, name="quiz_contentversion_draft"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_publish": request.user.has_perm("quiz.publish_content"),
            "unpublished_count": content_diff.unpublished_count(),
        }
        return super().changelist_view(request, extra_context)

    def review_view(self, request):
        """The working copy against the last published version, and the button to publish it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        current = ContentVersion.objects.current()
        body = _working_copy()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Review changes"),
            "changes": content_diff.diff(current.snapshot if current else None, body),
            "current": current,
            "next_number": (current.number + 1) if current else 1,
            "reviewed_hash": content.content_hash(body),
            "problems": content.validate_snapshot(body),
            "stale_translations": content_diff.unpublished_stale_translations(body),
            "can_publish": request.user.has_perm("quiz.publish_content"),
        }
        return TemplateResponse(request, "admin/quiz/contentversion/review.html", context)

    def preview_view(self, request):
        """The real check page, run on the working copy: an editor walks it as a phone would.
        Its answers are never saved, synced or scored into results (static/js/quiz.js)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        body = _working_copy()
        context = {
            "snapshot": body,
            "site": body["settings"],
            "preview": True,
            "content_url": reverse("admin:quiz_contentversion_draft"),
            "result_url": reverse("admin:quiz_contentversion_preview_result"),
            "review_url": reverse("admin:quiz_contentversion_review"),
        }
        return TemplateResponse(request, "admin/quiz/contentversion/preview.html", context)

    def preview_result_view(self, request):
        """Where a preview ends: the real result page (static/js/result.js), showing the
        previewed check from the editor's tab with the unpublished texts, tips included."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            "preview": True,
            "preview_url": reverse("admin:quiz_contentversion_preview"),
            "review_url": reverse("admin:quiz_contentversion_review"),
        }
        return TemplateResponse(request, "admin/quiz/contentversion/preview_result.html", context)

    def draft_content_view(self, request):
        """The working copy as a content bundle, for the preview only: staff-only, never
        cached (by the browser or the service worker, which only caches /api/content/), and
        with no version number, so no result can ever name it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        body = _working_copy()
        # In the editor's language, as a phone reading it gets a published version.
        texts = translation.localize(body, get_supported_language_variant(get_language()))
        return JsonResponse({**texts, "version": None, "hash": content.content_hash(body), "preview": True})

    def publish_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("quiz.publish_content"):
            raise PermissionDenied
        reviewed = request.POST.get("reviewed_hash")
        if reviewed and reviewed != content.content_hash(content.build_snapshot()):
            self.message_user(
                request,
                _("Not published: the content changed while you were reviewing it. Review the changes again."),
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:quiz_contentversion_review"))
        try:
            version = services.content_publish(user=request.user)
        except content.PublishError as error:
            self.message_user(request, _("Not published. Fix these first:"), messages.ERROR)
            for problem in error.problems:
                self.message_user(request, problem, messages.ERROR)
        except content.NothingToPublish as unchanged:
            self.message_user(request, str(unchanged), messages.WARNING)
        else:
            self.message_user(
                request,
                _("Published content version %(number)s. Phones get it the next time they are online.")
                % {"number": version.number},
                messages.SUCCESS,
            )
            for warning in translation.translation_warnings(version.snapshot):
                self.message_user(request, warning, messages.WARNING)
            for stale in content_diff.stale_translations_in(version):
                self.message_user(request, str(stale), messages.WARNING)
        return HttpResponseRedirect(reverse("admin:quiz_contentversion_changelist"))


def _working_copy() -> Snapshot:
    try:
        return content.build_snapshot()
    except SiteSettings.DoesNotExist:
        raise Http404("There is no content yet: run `manage.py seed_content`.") from None


# -- synced results: a read-only record ---------------------------------------------


class ContentVersionNumberFilter(admin.SimpleListFilter):
    """By version number, without loading every version's snapshot to label the choices."""

    title = _("content version")
    parameter_name = "version"

    def lookups(self, request, model_admin):
        numbers = ContentVersion.objects.order_by("-number").values_list("number", flat=True)
        return [(str(number), f"v{number}") for number in numbers]

    def queryset(self, request, queryset):
        if number := self.value():
            # By the version's id, not a join on its number: PostgreSQL then reads the
            # (content_version, completed_at) index instead of walking every newer result.
            versions = ContentVersion.objects.filter(number=str(number)).values_list("pk", flat=True)
            return queryset.filter(content_version__in=list(versions))
        return queryset


class SummaryPaginator(Paginator):
    """The results list's count is its summary's total: the results are counted once, with
    their urgencies and causes, not a second time by COUNT(*) (a million rows: seconds);
    from the daily counts when the list's filters are ones they cover (`ResultChangeList`)."""

    @cached_property
    def summary(self) -> dict:
        return cast(ResultQuerySet, self.object_list).summary()

    @cached_property
    def count(self) -> int:
        return self.summary["total"]

    def page(self, number):
        """The page's rows as Django's paginator slices them, read in two steps: the ids of
        the page (the same order, offset and limit), then those rows. PostgreSQL reads the
        ids from the filter's own index alone, which holds them; asked for whole rows at
        once it planned them through the completed-at index instead, and for version 2 of
        bench/scale_seed.py's four walked back through every result of versions 3 and 4
        (500,000 rows, 0.7-1.6 s): versions follow time, and its estimate assumes they do
        not. Deep pages skip their offset in the index too, without reading the rows."""
        page = super().page(number)
        page_ids = cast(QuerySet, page.object_list).values("pk")  # still a query: ordered, offset, limited
        page.object_list = cast(QuerySet, self.object_list).filter(pk__in=page_ids)
        return page


class ResultChangeList(ChangeList):
    """The results list. Its counts (the paginator's, the summary's, the date drill-down's
    and the dashboard's weeks) come from the daily counts whenever every filter in use is
    one they cover (`daily_counts`), else from the results themselves."""

    remaining_lookups: dict = {}

    def get_filters(self, request):
        filters = super().get_filters(request)
        # What the list filters left to apply as they are: the date drill-down's range.
        self.remaining_lookups = filters[2]
        return filters

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        if exclude_parameters is not None:  # a facet's count, without one of the filters
            return queryset
        return cast(ResultQuerySet, queryset).counted_by(self.daily_counts(request))

    def daily_counts(self, request) -> ResultDailyCountQuerySet | None:
        """The daily counts of exactly the listed results, or None when a filter in use is
        one they cannot answer, and the results are counted themselves:
        - covered: urgency, content version, "phone and server disagree", the completed-at
          filter's periods and the date drill-down (whole days in the server's time zone);
        - not covered: a search by result id, a period that does not start and end at
          midnight in the server's time zone (an admin in another time zone), and any
          filter added later until it is taught here."""
        if self.query or str(timezone.get_current_timezone()) != str(ResultDailyCount.zone()):
            return None
        counts: ResultDailyCountQuerySet | None = ResultDailyCount.objects.all()
        for spec in self.filter_specs:
            if counts is None:
                return None
            if isinstance(spec, ContentVersionNumberFilter):
                counts = spec.queryset(request, counts)  # by version id: a field of the counts too
            elif isinstance(spec, admin.FieldListFilter):
                counts = counts.matching(cast(Mapping[str, Sequence], spec.used_parameters))
            else:
                return None
        return counts.matching(self.remaining_lookups) if counts is not None else None

    def get_results(self, request):
        super().get_results(request)
        # Django lists the whole queryset, unsliced, when its count fits on one page (or "Show
        # all" is allowed). The count comes from the daily counts: results loaded without
        # `rebuild_result_counts` (a restore) would have a million rows rendered at once.
        # So the list is never longer than Django would show for a true count.
        self.result_list = self.result_list[: self.list_max_show_all if self.show_all else self.list_per_page]
        # Each row is worded with its own version: one query for the versions on the page.
        snapshots = ContentVersion.objects.snapshots_by_pk(result.content_version_id for result in self.result_list)
        page_wordings = results_report.wordings(snapshots)
        for result in self.result_list:
            result.wording = page_wordings[result.content_version_id]


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    """What phones synced. Nobody edits a person's answers: view, filter, count, export."""

    list_display = ["short_id", "completed", "version_number", "urgency", "disagreement", "cause_names"]
    list_display_links = ["short_id"]
    list_filter = ["urgency", ContentVersionNumberFilter, "completed_at", "verdict_mismatch"]
    list_select_related = ["content_version"]
    date_hierarchy = "completed_at"
    search_fields = ["uuid"]
    ordering = ["-completed_at"]
    change_list_template = "admin/quiz/result/change_list.html"
    paginator = SummaryPaginator
    # A filtered list says "Show all" rather than counting every result a second time.
    show_full_result_count = False
    readonly_fields = [
        "uuid",
        "completed_at",
        "received_at",
        "version_number",
        "urgency",
        "client_urgency",
        "disagreement",
        "answers_as_asked",
        "warning_signs",
        "cause_names",
    ]
    fields = tuple(readonly_fields)

    def get_changelist(self, request, **kwargs):
        return ResultChangeList

    def lookup_allowed(self, lookup, value, request):
        """Only the filters this page offers. Django would otherwise accept any lookup on a
        local field (`?device=7`, `?batch_id=…`), and device ids count up: an editor could
        group one person's results together. The CSV export uses the same changelist."""
        return lookup in self._offered_lookups(request)

    def _offered_lookups(self, request) -> set[str]:
        offered: set[str] = set()
        for list_filter in self.get_list_filter(request):
            if isinstance(list_filter, str):
                field = get_fields_from_path(self.model, list_filter)[-1]
                spec = admin.FieldListFilter.create(field, request, {}, self.model, self, field_path=list_filter)
                offered.update(name for name in spec.expected_parameters() if name)
            elif isinstance(list_filter, type) and issubclass(list_filter, admin.SimpleListFilter):
                offered.update([list_filter.parameter_name] if list_filter.parameter_name else [])
        if self.date_hierarchy:
            offered.update(f"{self.date_hierarchy}__{part}" for part in ("year", "month", "day"))
        return offered

    def get_queryset(self, request):
        # The snapshot is only needed on the detail page (to word the answers).
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("_change"):
            return queryset
        return queryset.defer("content_version__snapshot", "answers", "client_outcome", "server_outcome")

    @staticmethod
    def _wording(obj) -> results_report.VersionWording:
        # The list attaches each page row's wording; the detail page has the snapshot loaded.
        return getattr(obj, "wording", None) or results_report.VersionWording(obj.content_version.snapshot)

    @admin.display(description=_("result"), ordering="uuid")
    def short_id(self, obj):
        return str(obj.uuid)[:8]

    @admin.display(description=_("completed"), ordering="completed_at")
    def completed(self, obj):
        return readable_datetime(obj.completed_at)

    @admin.display(description=_("version"), ordering="content_version__number")
    def version_number(self, obj):
        return f"v{obj.content_version.number}"

    @admin.display(description=_("phone and server"), empty_value="")
    def disagreement(self, obj):
        """Empty when they agree; only a disagreement is worth a clinic's attention."""
        if not obj.verdict_mismatch:
            return ""
        phone = results_report.URGENCY_LABELS.get(obj.client_urgency, obj.client_urgency) or _("nothing")
        return format_html('<span class="disagreement">{}</span>', _("Disagree: the phone showed “%s”") % phone)

    @admin.display(description=_("possible causes"))
    def cause_names(self, obj):
        wording = self._wording(obj)
        return ", ".join(wording.cause_name(key) for key in obj.cause_key_list)

    @admin.display(description=_("warning signs"))
    def warning_signs(self, obj):
        wording = self._wording(obj)
        signs = obj.server_outcome.get("warning_signs", [])
        rows = [
            (wording.warning_sign_text(sign), results_report.URGENCY_LABELS.get(sign["urgency"], sign["urgency"]))
            for sign in signs
        ]
        return format_html_join("", "<p>{} ({})</p>", rows) or _("None")

    @admin.display(description=_("answers"))
    def answers_as_asked(self, obj):
        """Each answer as the question and choice texts of the version it was answered in."""
        wording = self._wording(obj)
        rows = [
            (wording.question_text(key), wording.answer_text(key, obj.answers[key]))
            for key in wording.question_keys
            if key in obj.answers
        ]
        return format_html(
            "<table><tbody>{}</tbody></table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
        )

    def get_urls(self):
        export_view = self.admin_site.admin_view(self.export_csv_view)
        dashboard_view = self.admin_site.admin_view(self.dashboard_view)
        return [
            path("export.csv", export_view, name="quiz_result_export"),
            path("dashboard/", dashboard_view, name="quiz_result_dashboard"),
            *super().get_urls(),
        ]

    def dashboard_view(self, request):
        """Checks per week by urgency and the most common cause groups, for the list's filters."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        queryset = changelist.queryset
        # The changelist has counted these results already (its paginator's count): a
        # second summary would read a million rows again.
        summary = changelist.paginator.summary
        weeks = results_report.weekly_urgency_counts(queryset.counts_by_week_and_urgency())
        causes = sorted(summary["causes"], key=lambda row: -row[1])  # most common first
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Results dashboard"),
            "query_string": changelist.get_query_string(),
            "filters": _active_filters(changelist, request),
            "total": summary["total"],
            "urgency_totals": summary["urgency"],
            "urgency_labels": [results_report.URGENCY_LABELS[key] for key in results_report.URGENCY_ORDER],
            "weeks": [(monday, [counts[key] for key in results_report.URGENCY_ORDER]) for monday, counts in weeks],
            "weekly_chart": results_report.weekly_chart(weeks),
            "causes": causes,
            "cause_chart": results_report.cause_chart(causes),
        }
        return TemplateResponse(request, "admin/quiz/result/dashboard.html", context)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}  # a redirect has none
        if context.get("cl") is not None:
            context["summary"] = context["cl"].paginator.summary
        return response

    def export_csv_view(self, request):
        """The changelist's filtered rows as CSV: the same filters, the same URL query."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = self.get_changelist_instance(request).queryset.order_by("-completed_at")
        version_ids = rows.content_version_ids()
        version_wordings = results_report.wordings(ContentVersion.objects.snapshots_by_pk(version_ids))
        builder = results_report.CsvRowBuilder(
            version_wordings,
            ContentVersion.objects.numbers_by_pk(version_ids),
            results_report.csv_question_keys(version_wordings),
        )
        # Streamed (a server-side cursor on PostgreSQL): memory stays flat whatever the row count.
        chunks = results_report.csv_chunks(rows.export_rows(), builder)
        response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="backcare-results.csv"'
        return response


def _active_filters(changelist, request) -> list[tuple[str, str]]:
    """The filters in use, as the results list words them in its sidebar."""
    active = [
        (spec.title, next((choice["display"] for choice in spec.choices(changelist) if choice["selected"]), ""))
        for spec in changelist.filter_specs
        if set(spec.expected_parameters()) & set(request.GET)
    ]
    hierarchy = changelist.date_hierarchy
    period = [
        request.GET[f"{hierarchy}__{part}"]
        for part in ("year", "month", "day")
        if f"{hierarchy}__{part}" in request.GET
    ]
    if period:
        active.append((_("completed in"), "-".join(period)))
    return active


@admin.register(Device)
class DeviceAdmin(ReadOnlyAdmin):
    """Anonymous devices: when they registered and were last seen. Token hashes stay hidden."""

    list_display = ["public_id", "created_at", "last_seen_at", "result_count"]
    readonly_fields = ["public_id", "created_at", "last_seen_at", "result_count"]
    fields = tuple(readonly_fields)
    search_fields = ["public_id"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(result_count=Count("results"))

    @admin.display(description=_("results"), ordering="result_count")
    def result_count(self, obj):
        return obj.result_count


# Every content text is edited beside its Chinese text (quiz/admin_translations.py).
place_translations_beside_english(admin.site)
