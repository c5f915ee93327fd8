from django.apps import AppConfig


class SellerDeskConfig(AppConfig):
    name = "seller_desk"
    verbose_name = "Seller Desk core"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .auth import preferences_on_login

        user_logged_in.connect(preferences_on_login, dispatch_uid="seller_desk.preferences_on_login")
