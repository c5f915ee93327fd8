from django.contrib import admin

from .models import Buyer, Membership, Order, OrderEvent, Store


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


@admin.register(OrderEvent)
class OrderEventAdmin(admin.ModelAdmin):
    list_display = ("order", "kind", "actor", "created_at")
