"""BackCare content: what an admin edits, and the immutable versions phones receive.

The editable models (cause groups, tips, questions, choices, site settings) are the
working copy. Nothing reaches a phone until it is published as a `ContentVersion`, a
complete JSON snapshot that never changes afterwards (see `quiz/content.py`).
"""

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connections, models, transaction
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Trunc, TruncDate, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .contracts import Outcome
from .tiers import RAISED_URGENCIES, URGENCY_LABELS, URGENCY_ORDER

key_validator = RegexValidator(
    r"^[a-z][a-z0-9_]*$",
    _("Use lowercase letters, digits and underscores, starting with a letter."),
    code="invalid_key",
)


def key_field(**kwargs) -> models.CharField:
    return models.CharField(
        _("key"),
        max_length=64,
        validators=[key_validator],
        help_text=_("Stable identifier used by saved results. Do not change once published."),
        **kwargs,
    )


def language_choices() -> list[tuple[str, str]]:
    """The languages of `settings.LANGUAGES`, read when asked: a field naming this function
    (not the list) needs no migration when a language is added."""
    return list(settings.LANGUAGES)


def _tier_choices(name: str, keys) -> type[models.TextChoices]:
    """Choices for urgency tiers, worded as the phone words them (quiz/tiers.py)."""
    members = [(key.upper(), (key, _(URGENCY_LABELS[key]))) for key in keys]
    # Enum's functional API; django-stubs type only its one-member form.
    return models.TextChoices(name, members)  # type: ignore[call-overload]


# The tier a warning-sign answer raises.
Urgency = _tier_choices("Urgency", RAISED_URGENCIES)


class SignAction(models.TextChoices):
    """An action a warning sign adds to its tier's (the site settings hold the texts)."""

    PREGNANCY = "pregnancy", _("Signs in pregnancy: the midwife or maternity unit")
    COPING = "coping", _("Struggling to cope: advice on support")


class Provenance(models.Model):
    """Where a piece of content comes from: a paragraph of the source document, or guidance."""

    source_paragraph = models.PositiveSmallIntegerField(
        _("source paragraph"),
        null=True,
        blank=True,
        help_text=_("Number of the paragraph of the source document this is based on."),
    )
    source_note = models.CharField(
        _("source note"),
        max_length=200,
        blank=True,
        help_text=_("Guidance this is based on when it is not the document (e.g. NICE NG59)."),
    )

    class Meta:
        abstract = True

    @property
    def has_provenance(self) -> bool:
        return self.source_paragraph is not None or bool(self.source_note.strip())


class SiteSettings(models.Model):
    """Wording and phone numbers that differ by country or clinic. There is one row."""

    emergency_number = models.CharField(_("emergency number"), max_length=20, default="999")
    emergency_label = models.CharField(_("emergency label"), max_length=120)
    non_emergency_number = models.CharField(_("non-emergency number"), max_length=20, default="111")
    non_emergency_label = models.CharField(_("non-emergency label"), max_length=120)
    disclaimer = models.TextField(_("disclaimer"))
    cause_threshold = models.PositiveSmallIntegerField(
        _("cause threshold"),
        default=3,
        help_text=_("A cause group is shown as possibly contributing when its answers add up to this."),
    )
    action_emergency = models.TextField(_("action for emergency"))
    action_urgent = models.TextField(_("action for urgent"))
    action_soon = models.TextField(_("action for see a doctor soon"))
    action_self_care = models.TextField(_("action for self-care"))
    # Said beside a tier's action when a sign names it (`Choice.action`): who to call in
    # pregnancy, and support for a person struggling to cope (PRODUCT.md, "Safety rules").
    action_pregnancy = models.TextField(
        _("action for signs in pregnancy"),
        blank=True,
        help_text=_("Shown for the pregnancy signs: name the midwife or maternity unit."),
    )
    action_coping = models.TextField(
        _("advice when struggling to cope"),
        blank=True,
        help_text=_("Shown to a person worried about the pain or struggling to cope."),
    )
    limits = models.TextField(_("what this check cannot do"))
    severe_pain_from = models.PositiveSmallIntegerField(
        _("severe pain from"),
        null=True,
        blank=True,
        default=7,
        help_text=_(
            "A pain score at or above this, with no warning sign, puts the tips marked "
            "“for severe pain” first. Leave empty to turn this off."
        ),
    )
    # The course over several checks (static/js/course.js): read on the phone only.
    course_weeks = models.PositiveSmallIntegerField(
        _("course: weeks without improvement"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text=_(
            "Checks spanning this many weeks or more in which the pain has not fallen by the "
            "change below add “This has not been getting better: see a GP or physiotherapist”."
        ),
    )
    course_change = models.PositiveSmallIntegerField(
        _("course: a real change, in points"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_(
            "The smallest change in a 0–10 pain score a person can tell apart (about 2). A rise "
            "of this much since the last check adds the same advice at once."
        ),
    )
    follow_up_days = models.PositiveSmallIntegerField(
        _("follow-up check after (days)"),
        default=7,
        validators=[MinValueValidator(3), MaxValueValidator(28)],
        help_text=_("What a self-care or “see a doctor soon” result offers first: check again after this many days."),
    )

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self) -> str:
        return str(_("Site settings"))

    @classmethod
    def load(cls) -> "SiteSettings":
        settings_row = cls.objects.order_by("pk").first()
        if settings_row is None:
            raise cls.DoesNotExist("Site settings have not been created; run `manage.py seed_content`.")
        return settings_row


class CauseGroup(Provenance):
    key = key_field(unique=True)
    name = models.CharField(_("name"), max_length=120)
    explanation = models.TextField(_("explanation"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("cause group")

    def __str__(self) -> str:
        return self.name


class TipCategory(models.Model):
    key = key_field(unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("tip category")
        verbose_name_plural = _("tip categories")

    def __str__(self) -> str:
        return self.name


class ActiveQuerySet(models.QuerySet):
    """For content an editor can switch off: only switched-on items are published."""

    def active(self) -> "ActiveQuerySet":
        return self.filter(is_active=True)


class Tip(Provenance):
    key = key_field(unique=True)
    title = models.CharField(_("title"), max_length=160)
    body = models.TextField(_("body"))
    # Nullable so a category can be deleted without losing tips; publishing refuses
    # a tip without one.
    category = models.ForeignKey(
        TipCategory,
        verbose_name=_("category"),
        related_name="tips",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    cause_groups = models.ManyToManyField(CauseGroup, verbose_name=_("cause groups"), related_name="tips", blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    for_severe_pain = models.BooleanField(
        _("for severe pain"),
        default=False,
        help_text=_("Shown first on a self-care result when the pain score is severe."),
    )
    # A tip about one symptom or history (pain down a leg, a sprain) is for the people
    # who reported it: the same condition as a question's show_if.
    show_if = models.JSONField(
        _("show only if"),
        null=True,
        blank=True,
        help_text=_(
            'Show this tip only after a given answer, e.g. {"question": "w_soon", "choices": ["sciatica"]}. '
            "Leave empty to show it to everyone its cause groups point to."
        ),
    )

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("tip")

    def __str__(self) -> str:
        return self.title


class Question(Provenance):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Scale (0–10)")

    class Section(models.TextChoices):
        FACTS = "facts", _("A few facts (asked first)")
        WARNING = "warning", _("Warning signs")
        HABITS = "habits", _("Habits and history")

    key = key_field(unique=True)
    text = models.CharField(_("text"), max_length=300)
    help_text = models.TextField(_("help text"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    section = models.CharField(_("section"), max_length=10, choices=Section.choices, default=Section.HABITS)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    scale_min = models.SmallIntegerField(_("scale minimum"), default=0)
    scale_max = models.SmallIntegerField(
        _("scale maximum"), default=10, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    show_if = models.JSONField(
        _("show only if"),
        null=True,
        blank=True,
        help_text=_(
            'Ask this question only after a given answer to an earlier one, e.g. {"question": "f_womb", '
            '"choices": ["yes"]}. Leave empty to always ask it.'
        ),
    )

    objects = ActiveQuerySet.as_manager()

    # A scale question asks for a whole number from scale_min to scale_max, within these.
    SCALE_LOWEST, SCALE_HIGHEST = 0, 10

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("question")

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        if self.is_scale and not self.scale_is_valid(self.scale_min, self.scale_max):
            raise ValidationError({"scale_min": self.scale_message(self.scale_min, self.scale_max)})

    @classmethod
    def scale_is_valid(cls, low: object, high: object) -> bool:
        """A scale runs up from a lower to a higher whole number within 0–10: with its ends
        reversed no answer could ever be scored."""
        numbers = all(isinstance(end, int) and not isinstance(end, bool) for end in (low, high))
        return numbers and cls.SCALE_LOWEST <= low < high <= cls.SCALE_HIGHEST  # type: ignore[operator]

    @classmethod
    def scale_message(cls, low: object, high: object) -> str:
        return _(
            "The scale must run from a lower to a higher whole number within %(lowest)s to %(highest)s; "
            "it runs from %(low)s to %(high)s."
        ) % {"lowest": cls.SCALE_LOWEST, "highest": cls.SCALE_HIGHEST, "low": low, "high": high}

    @property
    def is_scale(self) -> bool:
        return self.kind == self.Kind.SCALE

    @classmethod
    def place_in_check(cls, section: str, order: int, key: str) -> tuple[int, int, str]:
        """Where a question is asked: a few facts, then warning signs, then habits,
        whatever order numbers an editor typed. A condition may name only an earlier one."""
        section_rank: dict[str, int] = {cls.Section.FACTS: 0, cls.Section.WARNING: 1}
        return (section_rank.get(section, 2), order, key)

    @property
    def place(self) -> tuple[int, int, str]:
        return self.place_in_check(self.section, self.order, self.key)


class Choice(models.Model):
    question = models.ForeignKey(Question, verbose_name=_("question"), related_name="choices", on_delete=models.CASCADE)
    key = key_field()
    text = models.CharField(_("text"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    urgency = models.CharField(
        _("urgency raised"),
        max_length=10,
        choices=Urgency,
        blank=True,
        help_text=_("Leave empty when this answer is not a warning sign."),
    )
    stops_quiz = models.BooleanField(
        _("stops the check"),
        default=False,
        help_text=_("Emergency answers stop the check and show the emergency screen at once."),
    )
    exclusive = models.BooleanField(
        _("excludes the others"),
        default=False,
        help_text=_("“None of these”: cannot be picked together with another choice."),
    )
    unsure = models.BooleanField(
        _("“not sure”"),
        default=False,
        help_text=_(
            "A “Not sure” answer to a warning sign: scores one tier below the question's highest sign, "
            "never below “see a doctor soon”. Leave “urgency raised” empty."
        ),
    )
    action = models.CharField(
        _("action of its own"),
        max_length=10,
        choices=SignAction,
        blank=True,
        help_text=_("An action shown with this sign's tier on the result (its text is a site setting)."),
    )

    class Meta:
        ordering = ["question", "order", "key"]
        verbose_name = _("choice")
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="quiz_choice_unique_key_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.question.key}.{self.key}"


class ChoiceWeight(models.Model):
    """How much choosing an answer points toward a cause group."""

    choice = models.ForeignKey(Choice, verbose_name=_("choice"), related_name="weights", on_delete=models.CASCADE)
    cause_group = models.ForeignKey(
        CauseGroup, verbose_name=_("cause group"), related_name="weights", on_delete=models.CASCADE
    )
    weight = models.PositiveSmallIntegerField(_("weight"), validators=[MinValueValidator(1), MaxValueValidator(10)])

    class Meta:
        ordering = ["cause_group__order", "cause_group__key"]
        verbose_name = _("weight")
        constraints = [
            models.UniqueConstraint(fields=["choice", "cause_group"], name="quiz_weight_unique_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.cause_group.key}: {self.weight}"


class ContentVersionQuerySet(models.QuerySet["ContentVersion"]):
    def current(self) -> "ContentVersion | None":
        return self.order_by("-number").first()

    def snapshots_by_pk(self, pks: Iterable[int]) -> dict[int, dict]:
        """The snapshot of each version named by primary key, in one query."""
        return dict(self.filter(pk__in=set(pks)).values_list("pk", "snapshot"))

    def numbers_by_pk(self, pks: Iterable[int]) -> dict[int, int]:
        """The number of each version named by primary key, in one query."""
        return dict(self.filter(pk__in=set(pks)).values_list("pk", "number"))


class ContentVersion(models.Model):
    """A published, immutable snapshot of all content. Results name the version they used."""

    number = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    content_hash = models.CharField(_("content hash"), max_length=64, editable=False, db_index=True)
    snapshot = models.JSONField(_("snapshot"), editable=False)
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
    )

    objects = ContentVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("content version")
        permissions = [("publish_content", _("Can publish content"))]

    def __str__(self) -> str:
        return f"v{self.number} ({self.content_hash[:8]})"

    @property
    def etag(self) -> str:
        # Two versions can share a hash (content reverted), so the number is part of it.
        return f'"{self.number}-{self.content_hash}"'


# -- devices and synced results -------------------------------------------------------


class DeviceQuerySet(models.QuerySet["Device"]):
    def idle_without_results(self, *, since) -> "DeviceQuerySet":
        """Devices registered and last seen before `since` that never stored a result."""
        seen_before = models.Q(last_seen_at__isnull=True) | models.Q(last_seen_at__lt=since)
        return self.filter(seen_before, created_at__lt=since, results__isnull=True)


class Device(models.Model):
    """An anonymous phone that syncs results. No name, no e-mail, no account.

    The phone holds a secret token; the server keeps only its SHA-256. The token is 32
    random bytes, so a fast hash is enough: there is nothing to brute-force.
    """

    public_id = models.UUIDField(_("device id"), unique=True, editable=False)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen at"), null=True, blank=True, editable=False)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("device")

    def __str__(self) -> str:
        return str(self.public_id)

    @staticmethod
    def hash_token_secret(secret: str) -> str:
        """What the server stores of a token's secret part."""
        return hashlib.sha256(secret.encode()).hexdigest()

    def has_token_secret(self, secret: str) -> bool:
        """Whether `secret` is this device's, compared in constant time."""
        return hmac.compare_digest(self.token_hash, self.hash_token_secret(secret))

    @property
    def is_authenticated(self) -> bool:
        # DRF treats request.user as an identity; a registered device is one.
        return True


# The urgency tier of a whole result (`score()`'s "urgency"), highest raised wins.
OutcomeUrgency = _tier_choices("OutcomeUrgency", URGENCY_ORDER)


class _IsoFormatUtc(models.Func):
    """A PostgreSQL timestamp as Python's `datetime.isoformat()` writes the datetime Django
    reads from it (in UTC, the connection's time zone): 2026-03-01T09:00:00.250000+00:00,
    the microseconds only when there are any."""

    template = (
        "replace(to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '')"
        " || '+00:00'"
    )
    output_field = models.TextField()


class ResultQuerySet(models.QuerySet["Result"]):
    # The daily counts of exactly these results (`ResultDailyCount` rows narrowed as these
    # results were filtered), set by whoever filtered them and knows the counts cover every
    # filter (the results admin: `ResultChangeList.daily_counts`). With them, `summary`,
    # `counts_by_week_and_urgency` and `datetimes` read a few thousand daily rows instead of
    # every result; None (any other filter): they count the results themselves. Set on
    # one queryset only: a queryset made from it (another filter, a slice) has none.
    daily_counts: "ResultDailyCountQuerySet | None" = None

    def counted_by(self, daily_counts: "ResultDailyCountQuerySet | None") -> "ResultQuerySet":
        """These results, counted from `daily_counts` (which must count exactly them)."""
        self.daily_counts = daily_counts
        return self

    def for_device(self, device: Device) -> "ResultQuerySet":
        """One device's results, newest first, with the number of the version each names.
        The version's snapshot (the whole content, tens of KB of JSON) is left in the
        database: decoding it once per row made a page of 50 cost most of its time."""
        return (
            self.filter(device=device)
            .select_related("content_version")
            .defer("content_version__snapshot")
            .order_by("-completed_at")
        )

    def summary(self) -> dict:
        """Counts per urgency and per cause group over these results: two queries.
        {"total": n, "urgency": [(label, n) highest first], "causes": [(name, n)]}, causes
        named as the newest version these results name names them (never the working copy).
        The results are counted once, grouped by urgency and cause keys (a few hundred
        groups however many results, read from an index on PostgreSQL); the totals are
        added up from the groups. From the daily counts when these results carry them: the
        same groups, summed over a few thousand daily rows."""
        if self.daily_counts is not None:
            groups = self.daily_counts.by_urgency_causes_and_version()
        else:
            groups = (
                # COUNT(*), not of the id: the id is not in the index the counts are read from.
                self.order_by()
                .values_list("urgency", "cause_keys", "content_version")
                .annotate(count=models.Count("*"))
            )
        by_urgency: dict[str, int] = {}
        by_cause: dict[str, int] = {}
        versions: set[int] = set()
        for urgency, cause_keys, version, count in groups:
            by_urgency[urgency] = by_urgency.get(urgency, 0) + count
            versions.add(version)
            for key in {key for key in cause_keys.split(",") if key}:
                by_cause[key] = by_cause.get(key, 0) + count
        names = cause_names_of(ContentVersion.objects.filter(pk__in=versions))
        return {
            "total": sum(by_urgency.values()),
            "urgency": [(label, by_urgency.get(value, 0)) for value, label in reversed(OutcomeUrgency.choices)],
            "causes": [(name, by_cause.get(key, 0)) for key, name in names.items()],
        }

    def export_rows(self):
        """These results for the CSV export (`results_report.CsvRowBuilder.line`): tuples of
        `results_report.EXPORT_FIELDS` in that order, but the uuid and the completion time
        as the CSV writes them (`str()`, `isoformat()`) and the answers and the outcome's
        warning signs as their JSON text, which the export decodes once per distinct text
        instead of once a row. On PostgreSQL the database writes those texts (loading a
        UUID and a datetime per row and formatting them again cost 10 µs a row, half of
        the export's CPU: bench/NOTES.md), read through a server-side cursor: an export of
        a million rows never sits in memory whole."""
        json_texts = {
            "answers_json": Cast("answers", models.TextField()),
            "warning_signs_json": KT("server_outcome__warning_signs"),
        }
        columns = ["content_version_id", "urgency", "client_urgency", "verdict_mismatch", "cause_keys", *json_texts]
        if connections[self.db].vendor != "postgresql":
            # SQLite has no server-side cursor, and a transaction there (IMMEDIATE) would
            # keep phones from syncing until the export ends.
            rows = self.annotate(**json_texts).values_list("uuid", "completed_at", *columns)
            for uuid, completed_at, *values in rows.iterator(chunk_size=2000):
                yield (str(uuid), completed_at.isoformat(), *values)
            return
        rows = self.annotate(
            uuid_text=Cast("uuid", models.TextField()), completed_at_text=_IsoFormatUtc("completed_at"), **json_texts
        ).values_list("uuid_text", "completed_at_text", *columns)
        # Outside a transaction Django declares the cursor WITH HOLD, and PostgreSQL then
        # runs the whole query and stores every row before it sends the first (7-8 s for a
        # million results, under the 10 s statement timeout only just). In a transaction
        # the rows are read as they are fetched.
        with transaction.atomic(using=self.db):
            yield from rows.iterator(chunk_size=2000)

    def daily_groups(self) -> dict[tuple, int]:
        """How many of these results each daily count holds, by its key (`ResultDailyCount.
        key_of`): one grouped read of the results (the rows "Delete my data" erases)."""
        rows = (
            self.order_by()
            .annotate(day=TruncDate("completed_at", tzinfo=ResultDailyCount.zone()))
            .values_list(*COUNTED_BY)
            .annotate(count=models.Count("*"))
        )
        return {tuple(key): count for *key, count in rows}

    def content_version_ids(self) -> list[int]:
        """The primary key of every content version these results name, once each."""
        return list(self.order_by().values_list("content_version", flat=True).distinct())

    def counts_by_week_and_urgency(self) -> list[tuple[date, str, int]]:
        """How many of these results were completed in each ISO week (its Monday), by
        urgency; only the weeks and urgencies that have any. From the daily counts when these
        results carry them (a week is seven of their days)."""
        if self.daily_counts is not None:
            return self.daily_counts.by_week_and_urgency()
        rows = (
            self.order_by()
            .annotate(week=TruncWeek("completed_at"))
            .values_list("week", "urgency")
            # COUNT(*): read from the results' counts index alone (the id is not in it).
            .annotate(count=models.Count("*"))
        )
        return [(week.date() if hasattr(week, "date") else week, urgency, count) for week, urgency, count in rows]

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        """The admin's date drill-down asks which years, months or days hold results. Django
        answers with SELECT DISTINCT over every row (seconds at a million); here each
        candidate period between the first and last result is asked for one row, through
        the index on completed_at: a few dozen lookups of a row each. Same answer."""
        if field_name != "completed_at" or kind not in ("year", "month", "day"):
            return super().datetimes(field_name, kind, order, tzinfo)
        zone = tzinfo or timezone.get_current_timezone()
        if self.daily_counts is not None and str(zone) == str(ResultDailyCount.zone()):
            # The periods that hold a counted result: one grouped read of the daily counts.
            periods = self.daily_counts.periods(kind)
            return periods if order == "ASC" else periods[::-1]
        bounds = self.order_by().aggregate(first=models.Min("completed_at"), last=models.Max("completed_at"))
        if bounds["first"] is None:
            return []
        periods = []
        start = _period_start(timezone.localtime(bounds["first"], zone), kind)
        last = timezone.localtime(bounds["last"], zone)
        while start <= last:
            end = _next_period(start, kind)
            if self.filter(completed_at__gte=start, completed_at__lt=end).exists():
                periods.append(start)
            start = end
        return periods if order == "ASC" else periods[::-1]

    def cause_names(self) -> dict[str, str]:
        """Every cause group key of the versions these results name, as the newest names it."""
        return cause_names_of(ContentVersion.objects.filter(pk__in=self.order_by().values("content_version")))


def _period_start(moment: datetime, kind: str) -> datetime:
    start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind in ("year", "month"):
        start = start.replace(day=1)
    if kind == "year":
        start = start.replace(month=1)
    return start


def _next_period(start: datetime, kind: str) -> datetime:
    """The start of the next year, month or day, at midnight in the same time zone."""
    if kind == "day":
        naive = start.replace(tzinfo=None) + timedelta(days=1)
    elif kind == "month":
        naive = start.replace(tzinfo=None, year=start.year + start.month // 12, month=start.month % 12 + 1)
    else:
        naive = start.replace(tzinfo=None, year=start.year + 1)
    return naive.replace(tzinfo=start.tzinfo)  # wall-clock midnight, whatever the daylight saving


def cause_names_of(versions: models.QuerySet) -> dict[str, str]:
    """Every cause group key of these versions, named as the newest of them names it."""
    names: dict[str, str] = {}
    for snapshot in versions.order_by("number").values_list("snapshot", flat=True):
        names.update({group["key"]: group.get("name") or group["key"] for group in snapshot.get("cause_groups", [])})
    return names


class Result(models.Model):
    """One finished self-check, as the phone sent it, with the server's own scoring beside it.

    `uuid` is generated on the phone; its unique constraint is what makes ingest
    idempotent under concurrent resends. `payload_hash` (of the canonical client
    content) tells a harmless resend (duplicate) from a different result reusing the
    UUID (conflict).
    """

    uuid = models.UUIDField(_("result id"), unique=True, editable=False)
    # Indexed by quiz_result_device_idx below, which leads with the device.
    device = models.ForeignKey(
        Device,
        verbose_name=_("device"),
        related_name="results",
        on_delete=models.CASCADE,
        editable=False,
        db_index=False,
    )
    content_version = models.ForeignKey(
        ContentVersion,
        verbose_name=_("content version"),
        related_name="results",
        on_delete=models.PROTECT,
        editable=False,
        db_index=False,  # led by it, the (content_version, completed_at) index below serves
    )
    answers = models.JSONField(_("answers"), editable=False)
    client_outcome = models.JSONField(_("outcome on the phone"), editable=False)
    server_outcome = models.JSONField(_("outcome on the server"), editable=False)
    # Indexed with completed_at below: the list filtered by urgency, newest first.
    urgency = models.CharField(_("urgency"), max_length=10, choices=OutcomeUrgency, editable=False)
    client_urgency = models.CharField(
        _("urgency on the phone"), max_length=10, choices=OutcomeUrgency, blank=True, editable=False
    )
    verdict_mismatch = models.BooleanField(
        _("phone and server disagree"),
        default=False,
        db_index=True,
        editable=False,
        help_text=_("The outcome the phone showed differs from the server's scoring of the same answers."),
    )
    # The server's contributing cause keys as ",key,key,": counting results per cause
    # group is then one portable aggregate (contains ",key,") on SQLite and PostgreSQL.
    cause_keys = models.CharField(_("possible causes"), max_length=1000, blank=True, editable=False)
    payload_hash = models.CharField(_("payload hash"), max_length=64, editable=False)
    # Which request stored the row: after an insert that skips conflicts, the rows
    # carrying this request's batch id are the ones it created (the rest raced in).
    batch_id = models.UUIDField(_("received in batch"), editable=False)
    completed_at = models.DateTimeField(_("completed at"), db_index=True, editable=False)
    # The language the check was read in (settings.LANGUAGES); it never changes the scoring.
    language = models.CharField(_("language"), max_length=10, choices=language_choices, default="en", editable=False)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_at"]
        verbose_name = _("result")
        indexes = [
            # Everything the results list's counts and the dashboard read, by time: at a
            # million results PostgreSQL counts them from this index alone, without reading
            # the rows (1.7 GB with their answers) — docs/BENCHMARKS.md, "Scale".
            models.Index(
                fields=["completed_at", "urgency", "content_version", "verdict_mismatch", "cause_keys"],
                name="quiz_result_counts_idx",
            ),
            # The results list filtered by urgency or by version, newest first and then by id
            # as the admin orders ties: the page's hundred rows read from the index's start,
            # not found by walking back through every newer result of other urgencies or
            # versions (500,000 rows for the second of four versions: seconds).
            models.Index(fields=["urgency", "-completed_at", "-id"], name="quiz_result_urgency_idx"),
            models.Index(fields=["content_version", "-completed_at", "-id"], name="quiz_result_version_idx"),
            # A phone's own results, newest first, a page at a time (GET /api/results/):
            # read in order from the index's start. With the device's index alone, PostgreSQL
            # could also walk completed_at backwards filtering by device, through every newer
            # result of every other phone, and at times did (bench/NOTES.md, issue 28).
            # Erasing a device and pruning find its results by this index too.
            models.Index(fields=["device", "-completed_at", "-id"], name="quiz_result_device_idx"),
        ]

    def __str__(self) -> str:
        return str(self.uuid)

    @staticmethod
    def encode_cause_keys(outcome: Outcome) -> str:
        keys = [cause["key"] for cause in outcome.get("causes", [])]
        return f",{','.join(keys)}," if keys else ""

    @property
    def cause_key_list(self) -> list[str]:
        return [key for key in self.cause_keys.split(",") if key]


# -- results counted by day -------------------------------------------------------------

# What a result is counted by: the columns of `ResultDailyCount` that name a count.
COUNTED_BY = ("day", "urgency", "content_version", "verdict_mismatch", "cause_keys")
# The result's own fields the admin's filters may narrow, named alike on the daily counts.
COUNTED_FIELDS = frozenset({"urgency", "content_version", "verdict_mismatch"})


class ResultDailyCountQuerySet(models.QuerySet["ResultDailyCount"]):
    def matching(self, lookups: Mapping[str, Sequence]) -> "ResultDailyCountQuerySet | None":
        """These counts narrowed as results filtered by `lookups` would be (the admin's: each
        lookup with the values any of which may match, as its filters hold them). None when
        a lookup is one the counts cannot answer: a field they do not keep, or a time that
        is not the start of a day in the counts' time zone. Lookups on the result's
        urgency, version and disagreement read the same here; `completed_at__gte` and
        `__lt` at a midnight are the same bounds on the day."""
        narrowed = self
        for lookup, values in lookups.items():
            field, _sep, condition = lookup.partition("__")
            if not values:
                continue
            if field in COUNTED_FIELDS:
                conditions = [models.Q((lookup, value)) for value in values]
            elif field == "completed_at" and condition in ("gte", "lt"):
                days = [ResultDailyCount.day_starting_at(value) for value in values]
                if None in days:
                    return None
                conditions = [models.Q((f"day__{condition}", day)) for day in days]
            else:
                return None
            narrowed = narrowed.filter(reduce(or_, conditions))
        return narrowed

    def by_urgency_causes_and_version(self):
        """(urgency, cause keys, version id, results) groups, as `ResultQuerySet.summary` groups."""
        return (
            self.order_by()
            .values_list("urgency", "cause_keys", "content_version")
            .annotate(count=models.Sum("results"))
            .filter(count__gt=0)
        )

    def by_week_and_urgency(self) -> list[tuple[date, str, int]]:
        """As `ResultQuerySet.counts_by_week_and_urgency`: (Monday, urgency, results)."""
        rows = (
            self.order_by()
            .annotate(week=TruncWeek("day"))
            .values_list("week", "urgency")
            .annotate(count=models.Sum("results"))
            .filter(count__gt=0)
        )
        return list(rows)

    def periods(self, kind: str) -> list[datetime]:
        """The start of each year, month or day that holds a counted result, oldest first, as
        `ResultQuerySet.datetimes` gives them (midnight in the counts' time zone). Grouped,
        not DISTINCT: a few hundred daily rows a month."""
        starts = (
            self.order_by()
            .annotate(period=Trunc("day", kind, output_field=models.DateField()))
            .values_list("period")
            .annotate(count=models.Sum("results"))
            .filter(count__gt=0)
            .order_by("period")
        )
        zone = ResultDailyCount.zone()
        return [timezone.make_aware(datetime.combine(start, time()), zone) for start, _count in starts]


class ResultDailyCount(models.Model):
    """How many results were completed on a day, by urgency, version, disagreement and cause
    keys: the results list's counts, its date drill-down and the dashboard read these
    instead of counting up to millions of results (docs/BENCHMARKS.md, "Scale").

    Kept exactly right by every write of results, in the write's own transaction
    (quiz/services.py: ingest adds what it really inserted, "Delete my data" takes away
    what it deletes); `manage.py rebuild_result_counts` recomputes them. Days are in the
    server's time zone (settings.TIME_ZONE): after changing it, rebuild them. Never shown
    as rows: nothing here is worded for people."""

    day = models.DateField()
    urgency = models.CharField(max_length=10, choices=OutcomeUrgency)
    content_version = models.ForeignKey(ContentVersion, related_name="+", on_delete=models.PROTECT, db_index=False)
    verdict_mismatch = models.BooleanField()
    cause_keys = models.CharField(max_length=1000, blank=True)
    # Not a PositiveIntegerField: "Delete my data" subtracts through the same upsert that
    # ingest adds through, and a CHECK is tested on the row proposed for insertion (a
    # negative one) before the conflict turns it into an update.
    results = models.IntegerField()

    objects = ResultDailyCountQuerySet.as_manager()

    class Meta:
        constraints = [
            # Also the index every read of the counts starts from (a period: its days).
            models.UniqueConstraint(fields=COUNTED_BY, name="quiz_resultdailycount_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.urgency} v{self.content_version_id}: {self.results}"

    @staticmethod
    def zone():
        """The time zone the days are counted in: the server's (settings.TIME_ZONE)."""
        return timezone.get_default_timezone()

    @classmethod
    def day_of(cls, moment: datetime) -> date:
        return timezone.localtime(moment, cls.zone()).date()

    @classmethod
    def day_starting_at(cls, value: object) -> date | None:
        """The day `value` (a time, or its text as the admin's filters pass it) is the first
        moment of in the counts' time zone; None when it is not the start of a day. A time
        without an offset is read in the server's zone, as the ORM reads it."""
        try:
            moment = Result._meta.get_field("completed_at").to_python(value)
        except ValidationError:
            return None
        if not isinstance(moment, datetime):
            return None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, cls.zone())
        local = timezone.localtime(moment, cls.zone())
        return local.date() if local.time() == time() else None

    @classmethod
    def key_of(cls, row: Mapping) -> tuple:
        """The count a result's columns (by attname, as ingest builds them) add to."""
        return (
            cls.day_of(row["completed_at"]),
            row["urgency"],
            row["content_version_id"],
            bool(row["verdict_mismatch"]),
            row["cause_keys"],
        )
