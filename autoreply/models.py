"""Auto-reply (R15–R17): the store's switch and welcome, the keyword card, and one claim per buyer-day."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from seller_desk.models import Buyer, Store

KEYWORD_MAX_CHARS = 300
KEYWORDS_MIN = 3
KEYWORDS_MAX = 9
WELCOME_MAX_CHARS = 1000
REPLY_TEXT_MAX_CHARS = 1000


class AutoReplySettings(models.Model):
    """One row per store: whether the auto-reply is on and the welcome it sends."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="autoreply_settings")
    enabled = models.BooleanField(default=False)
    welcome_text = models.TextField(blank=True)
    welcome_texts = models.JSONField(
        default=dict,
        blank=True,
        help_text="Optional versions of the welcome per buyer language: {lang: text}.",
    )
    skip_live_conversations = models.BooleanField(
        default=True,
        help_text="No welcome when an agent replied in the conversation within the last live_hours hours.",
    )
    live_hours = models.PositiveSmallIntegerField(default=2)
    unavailable_texts = models.JSONField(
        default=dict,
        blank=True,
        help_text="The polite text a coupon tap gets when the coupon can't be given, per language "
        "(empty: the desk's default).",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "auto-reply settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(enabled=False) | ~Q(welcome_text=""),
                name="autoreply_enabled_needs_welcome",
            )
        ]

    def __str__(self) -> str:
        return f"{self.store} auto-reply ({'on' if self.enabled else 'off'})"


class ReplyType(models.TextChoices):
    TEXT = "text", _("Text")
    PICTURE = "picture", _("Picture")
    COUPON = "coupon", _("Coupon")


class Keyword(models.Model):
    """A keyword on the welcome's card; tapping it sends exactly one kind of reply.

    Keywords taken off the card are kept with ``removed_at`` set, so a tap on an old card gets a clear answer
    (and the tap history stays).
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="autoreply_keywords")
    keyword = models.CharField(max_length=KEYWORD_MAX_CHARS)
    position = models.PositiveSmallIntegerField(default=0)
    reply_type = models.CharField(max_length=10, choices=ReplyType.choices)
    text = models.TextField(blank=True)
    texts = models.JSONField(
        default=dict,
        blank=True,
        help_text="Optional versions of a text reply per buyer language: {lang: text}.",
    )
    image = models.ImageField(upload_to="autoreply/%Y/%m/", blank=True)
    coupon = models.ForeignKey(
        "coupons.Coupon", null=True, blank=True, on_delete=models.RESTRICT, related_name="autoreply_keywords"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(reply_type=ReplyType.TEXT, image="", coupon__isnull=True) & ~Q(text="")
                    | Q(reply_type=ReplyType.PICTURE, text="", coupon__isnull=True) & ~Q(image="")
                    | Q(reply_type=ReplyType.COUPON, text="", image="", coupon__isnull=False)
                ),
                name="autoreply_keyword_exactly_one_reply",
            ),
            models.CheckConstraint(condition=~Q(keyword=""), name="autoreply_keyword_not_blank"),
        ]
        indexes = [models.Index(fields=["store", "removed_at", "position"])]

    def __str__(self) -> str:
        return self.keyword


class AutoReplyDay(models.Model):
    """The claim on a buyer's store-local day: whoever inserts it sends that day's welcome; nobody else does."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="autoreply_days")
    buyer = models.ForeignKey(Buyer, on_delete=models.CASCADE, related_name="autoreply_days")
    date = models.DateField(help_text="The store-local date of the buyer's message.")
    message = models.ForeignKey(
        "conversations.Message",
        on_delete=models.CASCADE,
        related_name="autoreply_day",
        help_text="The buyer's message the welcome answered.",
    )
    skipped = models.CharField(
        max_length=20,
        blank=True,
        help_text="Why the day's first message got no welcome (live: an agent had just replied); empty when sent.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "buyer", "date"], name="autoreply_once_per_buyer_day")
        ]
        indexes = [models.Index(fields=["store", "date"])]


class TapOutcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    GRANTED = "granted", _("Coupon given")
    SOLD_OUT = "sold_out", _("Coupon sold out")
    ENDED = "ended", _("Coupon not active")
    ALREADY_HELD = "already_held", _("Buyer already holds the coupon")


class KeywordClick(models.Model):
    """A buyer's tap on a keyword and the reply it got (the tap count per keyword comes from here)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="autoreply_clicks")
    keyword = models.ForeignKey(Keyword, on_delete=models.CASCADE, related_name="clicks")
    buyer = models.ForeignKey(Buyer, on_delete=models.CASCADE, related_name="autoreply_clicks")
    reply = models.ForeignKey("conversations.Message", null=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=12, choices=TapOutcome.choices, default=TapOutcome.ANSWERED)
    clicked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["keyword", "clicked_at"])]
