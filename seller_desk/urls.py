from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import apis, health, views

# Django tries the patterns in order: the marketplace's ingress, the busiest write path, is tried first (its paths
# all start with "ingress/", which no other pattern matches), the API before the pages.
api_v1 = [
    path("", include("marketplace.api_urls")),
    path("auth/token", apis.AuthTokenApi.as_view(), name="api-auth-token"),
    path("disputes", apis.DisputeListApi.as_view(), name="api-disputes"),
    path("", include("conversations.api_urls")),
    path("", include("reports.api_urls")),
    path("", include("templates_i18n.api_urls")),
    path("", include("coupons.api_urls")),
    path("", include("campaigns.api_urls")),
    path("", include("autoreply.api_urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("account/", views.account, name="account"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (no inline <script>: CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", views.home, name="home"),
    path("team/", views.team, name="team"),
    path("audit/", views.audit_log_page, name="audit-log"),
    path("settings/integration/", views.integration_settings, name="integration-settings"),
    path("settings/integration/rotate/", views.integration_token_rotate, name="integration-token-rotate"),
    path("settings/integration/revoke/", views.integration_token_revoke, name="integration-token-revoke"),
    path("team/<int:member_id>/role/", views.team_member_role, name="team-member-role"),
    path("team/<int:member_id>/password/", views.team_member_password, name="team-member-password"),
    path("team/<int:member_id>/remove/", views.team_member_remove, name="team-member-remove"),
    path("", include("conversations.urls")),
    path("", include("reports.urls")),
    path("", include("templates_i18n.urls")),
    path("", include("coupons.urls")),
    path("", include("campaigns.urls")),
    path("", include("autoreply.urls")),
    path("", include("marketplace.urls")),
]

urlpatterns += [
    re_path(r"^media/(?P<path>.*)$", views.media_file, name="media"),
]

handler403 = "seller_desk.views.forbidden"
handler404 = "seller_desk.views.not_found"
handler500 = "seller_desk.views.server_error"
