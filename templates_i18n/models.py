"""Scenario reply library (official and store-owned) and the banned-word list."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from seller_desk.models import Store


class Voice(models.TextChoices):
    """Who the text speaks as: most scripts are the seller answering; some are the platform advising the buyer."""

    SELLER = "seller", _("Seller to buyer")
    ADVICE = "advice", _("Advice to the buyer (platform's voice)")


class Scenario(models.Model):
    """A reply scenario. Official ones (store is NULL) are edited by platform admins only.

    ``title`` and ``body`` are translated by django-modeltranslation into the nine languages
    (``body_en``, ``body_ar``, … ``body_pt_br``); an empty body means the language is missing.
    """

    store = models.ForeignKey(
        Store, null=True, blank=True, on_delete=models.CASCADE, related_name="scenarios"
    )
    code = models.SlugField(max_length=80)
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    order_statuses = models.JSONField(
        default=list, blank=True, help_text="Order statuses this scenario fits."
    )
    markets = models.JSONField(
        default=list,
        blank=True,
        help_text="Buyer countries (ISO 3166-1 alpha-2) this scenario is meant for; empty = every market.",
    )
    valid_from = models.DateField(
        null=True, blank=True, help_text="First day it may be suggested (store-local)."
    )
    valid_until = models.DateField(
        null=True, blank=True, help_text="Last day it may be suggested (store-local)."
    )
    voice = models.CharField(max_length=10, choices=Voice.choices, default=Voice.SELLER)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="scenario_validity_ordered",
            ),
            models.UniqueConstraint(
                fields=["code"], condition=Q(store__isnull=True), name="official_scenario_code_unique"
            ),
            models.UniqueConstraint(
                fields=["store", "code"], condition=Q(store__isnull=False), name="store_scenario_code_unique"
            ),
        ]
        ordering = ["position", "id"]

    @property
    def is_official(self) -> bool:
        return self.store_id is None

    def in_season(self, day) -> bool:
        """Whether ``day`` (a date) lies inside the validity period (no period = always)."""
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_until is None or day <= self.valid_until
        )

    def __str__(self) -> str:
        return self.code


class MatchMode(models.TextChoices):
    WORD = "word", _("Whole word")
    STEM = "stem", _("Word and its inflected forms (stem)")
    SUBSTRING = "substring", _("Anywhere, even inside words")


class BannedWord(models.Model):
    term = models.CharField(max_length=100)
    language = models.CharField(max_length=8, blank=True, help_text="Blank: every language.")
    suggestion = models.CharField(max_length=100, blank=True)
    match = models.CharField(max_length=10, choices=MatchMode.choices, default=MatchMode.WORD)
    is_active = models.BooleanField(default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "language"], name="banned_word_unique_per_language")
        ]
        ordering = ["language", "term"]

    def __str__(self) -> str:
        return self.term


class BannedWordListVersion(models.Model):
    """One row; its number goes up with every change so each process knows its compiled guard is stale."""

    version = models.PositiveBigIntegerField(default=0)


class ScenarioPick(models.Model):
    """An agent sent a reply built from a scenario or store template (issue 13, point 5).

    ``suggested_code`` is what the reply box offered first ("" when it offered nothing), ``picked_code`` what
    the agent inserted; ``vector`` is the buyer message's embedding (float32, the suggestion model's) so later
    suggestions for similar messages of the same store can count these picks. Only the store's own picks are
    ever read for its ranking.
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="scenario_picks")
    language = models.CharField(max_length=8, help_text="The language of the reply sent.")
    suggested_code = models.CharField(max_length=80, blank=True)
    picked_code = models.CharField(max_length=80)
    vector = models.BinaryField(help_text="The buyer message's embedding (float32 bytes).")
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["store", "created_at"], name="scenario_pick_store_time")]
        ordering = ["-created_at", "-id"]

    @property
    def first_taken(self) -> bool:
        return bool(self.suggested_code) and self.suggested_code == self.picked_code

    def __str__(self) -> str:
        return f"{self.picked_code} ({self.language})"
