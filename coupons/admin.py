"""Admin for coupons: the "DDWL" prefix is read-only and every save goes through the services' rules."""

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from seller_desk.admin import ReadOnlyAdmin
from seller_desk.errors import ApplicationError

from . import services
from .models import Coupon, CouponGrant, CouponRedemption

SETTINGS_FIELDS = services.EDITABLE_FIELDS


class CouponAdminForm(forms.ModelForm):
    class Meta:
        model = Coupon
        fields = ("store", *SETTINGS_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("activity_start", "activity_end", "valid_from"):
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].help_text = "Leave empty for the default."

    def clean(self):
        cleaned = super().clean()
        store = self.instance.store if self.instance.pk else cleaned.get("store")
        if store is None or self.errors:
            return cleaned
        coupon = self.instance if self.instance.pk else None
        try:
            services.coupon_settings_check(store=store, values=cleaned, coupon=coupon)
        except ApplicationError as error:
            raise ValidationError(
                {f if f in self.fields else NON_FIELD_ERRORS: msgs for f, msgs in error.errors.items()}
            ) from error
        return cleaned

    def _post_clean(self):
        """The services hold the rules (and the database its constraints); nothing is copied onto the instance."""


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    form = CouponAdminForm
    list_display = ("__str__", "store", "status", "granted_count", "quantity", "activity_end", "valid_until")
    list_filter = ("status", "store")
    search_fields = ("name_suffix", "code")
    readonly_fields = (
        "name_prefix",
        "code",
        "distribution",
        "scope",
        "status",
        "granted_count",
        "created_by",
    )

    def get_fields(self, request, obj=None):
        head = ("store",) if obj is None else ()
        return (
            *head,
            "name_prefix",
            *SETTINGS_FIELDS,
            "code",
            "distribution",
            "scope",
            "status",
            "granted_count",
        )

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "store") if obj is not None else self.readonly_fields

    @admin.display(description="Name prefix (fixed)")
    def name_prefix(self, obj):
        return obj.name_prefix if obj else "DDWL"

    def save_model(self, request, obj, form, change):
        values = {f: form.cleaned_data.get(f) for f in SETTINGS_FIELDS}
        if change:
            coupon = Coupon.objects.get(pk=obj.pk)
            changes = {f: values[f] for f in form.changed_data if f in SETTINGS_FIELDS}
            services.coupon_update(coupon=coupon, acting_user=request.user, changes=changes)
        else:
            coupon = services.coupon_create(
                store=form.cleaned_data["store"], acting_user=request.user, values=values
            )
        obj.pk = obj.id = coupon.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        """No related objects are edited here."""


@admin.register(CouponGrant)
class CouponGrantAdmin(ReadOnlyAdmin):
    list_display = ("coupon", "buyer", "source", "granted_by", "granted_at")
    list_filter = ("source",)


@admin.register(CouponRedemption)
class CouponRedemptionAdmin(ReadOnlyAdmin):
    list_display = ("coupon", "order", "order_amount", "redeemed_at")
