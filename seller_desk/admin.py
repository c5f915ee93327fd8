from django.contrib import admin

from .models import AuditEvent, Buyer, Membership, Order, Store


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "tier", "timezone", "resume_shipping_date")
    exclude = ("integration_token_hash",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "store", "role")
    list_filter = ("role", "store")


@admin.register(Buyer)
class BuyerAdmin(admin.ModelAdmin):
    list_display = ("external_id", "name", "store", "country", "locale")
    list_filter = ("store", "country")
    search_fields = ("external_id", "name")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Orders come from the marketplace; deleting one here would drop its conversations too."""

    def has_delete_permission(self, request, obj=None):
        return False

    list_display = ("external_id", "store", "buyer", "status", "placed_at", "amount", "currency")
    list_filter = ("store", "status")
    search_fields = ("external_id",)
    raw_id_fields = ("buyer",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows only services write: the admin shows them, it never adds or edits one."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is written by the services alone."""

    list_display = ("created_at", "store", "kind", "subject_label", "actor")
    list_filter = ("kind", "store")
    search_fields = ("subject_label", "subject_id")
    raw_id_fields = ("actor",)

    def has_delete_permission(self, request, obj=None):
        return False
