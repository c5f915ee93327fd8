"""Admin for campaigns: read-only. The daily cap, windows and sends only happen through ``services``."""

from django.contrib import admin

from seller_desk.admin import ReadOnlyAdmin

from .models import Campaign, CampaignRecipient, CustomerGroup, StoreDailyQuota


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ("name", "store", "scenario", "status", "start_on", "identified_count")
    list_filter = ("status", "scenario", "store")


@admin.register(CampaignRecipient)
class CampaignRecipientAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "buyer", "status", "send_day", "sent_at")
    list_filter = ("status",)
    raw_id_fields = ("campaign", "buyer")


@admin.register(CustomerGroup)
class CustomerGroupAdmin(ReadOnlyAdmin):
    list_display = ("name", "store")


@admin.register(StoreDailyQuota)
class StoreDailyQuotaAdmin(ReadOnlyAdmin):
    list_display = ("store", "day", "used", "cap")
