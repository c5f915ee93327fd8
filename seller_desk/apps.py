from django.apps import AppConfig


class SellerDeskConfig(AppConfig):
    name = "seller_desk"
    verbose_name = "Seller Desk core"
