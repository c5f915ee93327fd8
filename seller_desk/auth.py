"""Who is calling: the marketplace (integration token) or a store member."""

import threading
from dataclasses import dataclass

import psycopg2
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection as default_connection
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from . import throttle
from .logging import log_context
from .models import ApiToken, MemberRole, Membership, Store, UserProfile, hash_token, password_fingerprint
from .postgresql.base import AUTH_CHANGES_CHANNEL, link_quiet
from .prepared import PreparedRead
from .selectors import model_columns, model_from_row, store_for_integration_token
from .signatures import IngressSignature


@dataclass
class MarketplaceClient:
    """The principal behind an integration token; the token fixes the store."""

    store: Store
    is_authenticated: bool = True
    is_staff: bool = False
    is_active: bool = True
    pk = None

    def __str__(self) -> str:
        return f"marketplace:{self.store.slug}"


class IntegrationTokenAuthentication(authentication.BaseAuthentication):
    """The store of the ``Bearer`` integration token. A view may name one-to-one relations of the store
    (``store_select_related``) that its request always reads: they come in the same query (ingress: the
    store's auto-reply and inbox settings, so a buyer message costs no query for them)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                gettext("Authorization must be 'Bearer <integration_token>'.")
            )
        raw = header[1].decode(errors="replace")
        view = (request.parser_context or {}).get("view")
        store = store_for_integration_token(
            token_hash=hash_token(raw), related=getattr(view, "store_select_related", ())
        )
        if store is None:
            raise exceptions.AuthenticationFailed(gettext("Unknown integration token."))
        log_context(store=store.slug, user=f"marketplace:{store.slug}")
        return MarketplaceClient(store=store), raw

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <t>`` for the seller API, looked up by hash; expired, revoked, or issued
    before the user's last password change → 401."""

    model = ApiToken

    def authenticate(self, request):
        """Besides who is calling: the language of the answer. A caller that sends ``Accept-Language`` gets
        that (LocaleMiddleware chose it already); one that sends none gets its profile's language, as in the
        desk. Errors raised before this point (a refused token) follow ``Accept-Language`` alone."""
        result = super().authenticate(request)
        if result is not None and not request.META.get("HTTP_ACCEPT_LANGUAGE"):
            profile = getattr(result[0], "desk_profile", None)
            if profile is not None and profile.language in dict(settings.LANGUAGES):
                translation.activate(profile.language)
                request._request.LANGUAGE_CODE = profile.language
        return result

    def authenticate_credentials(self, key):
        token = _token_with_member(hash_token(key))
        if token is None:
            raise exceptions.AuthenticationFailed(gettext("Invalid token."))
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(
                gettext("This token has expired; ask POST /api/v1/auth/token for a new one.")
            )
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(gettext("User inactive or deleted."))
        if not constant_time_compare(token.password_fingerprint, password_fingerprint(user)):
            raise exceptions.AuthenticationFailed(
                gettext(
                    "The password changed since this token was issued; ask POST /api/v1/auth/token for a new one."
                )
            )
        return user, token


_MEMBER_PATHS = (
    (ApiToken, ""),
    (get_user_model(), "user__"),
    (Membership, "user__membership__"),
    (Store, "user__membership__store__"),
    (UserProfile, "user__desk_profile__"),
)
_TOKEN_READ = PreparedRead(
    lambda key_hash: ApiToken.objects.filter(key_hash=key_hash).values(
        *[column for model, prefix in _MEMBER_PATHS for column in model_columns(model, prefix)]
    ),
    str,
)


_TOKEN_ROWS_MAX = 10_000


class _TokenRows(threading.local):
    """The rows ``_TOKEN_READ`` gave, by token hash, kept while PostgreSQL has said nothing changed.

    Every seller API request asked the token's row: ≈ 0.2 ms of the web worker's CPU and 0.08 ms of PostgreSQL's,
    a tenth of a queue page. The five tables that row is read from notify ``AUTH_CHANGES_CHANNEL`` on every
    statement that writes them (a trigger: the ORM, ``update()``, the admin or SQL by hand alike), and the database
    connection this thread's requests use ``LISTEN``s to it. Before a kept row is used, the connection is asked,
    without a round trip (its socket is polled; a waiting notice is read by ``poll()``), whether a notice came: any
    notice empties the rows, so a revoked token, a changed password, a removed member or a deactivated account is
    refused from the first request after its commit reached this connection, as a read would refuse it. The rows
    are kept per connection: a new connection (a reconnect) starts with none, since it heard nothing while away.
    Inside a transaction (``atomic``: its own writes are not yet notified) and with ``DB_AUTH_CACHE`` off (behind
    PgBouncer in transaction mode, where ``LISTEN`` does not hold) nothing is kept. Each request builds its own
    model instances from the row, so no request sees another's changes to them."""

    def __init__(self):
        self.rows: dict[str, dict] = {}
        self.link = None

    def listening(self, connection) -> bool:
        """Whether the kept rows can be used now (emptied first if the database said something changed)."""
        if (
            not settings.DB_AUTH_CACHE
            or connection.vendor != "postgresql"
            or connection.in_atomic_block
            or connection.connection is None
        ):
            return False
        connection.close_if_health_check_failed()
        link = connection.connection
        if link is None:
            return False
        try:
            if link is not self.link:
                self.rows.clear()
                with link.cursor() as cursor:
                    cursor.execute(f"LISTEN {AUTH_CHANGES_CHANNEL}")
                self.link = link
            elif not link_quiet(link):
                link.poll()
        except psycopg2.Error:
            self.rows.clear()
            self.link = None
            return False
        if link.notifies:
            link.notifies.clear()
            self.rows.clear()
        return True

    def keep(self, connection, key_hash: str, row: dict) -> None:
        if connection.connection is self.link is not None:
            if len(self.rows) >= _TOKEN_ROWS_MAX:
                self.rows.clear()
            self.rows[key_hash] = row


_TOKEN_ROWS = _TokenRows()


def _token_with_member(key_hash: str) -> ApiToken | None:
    """The token, its user, the user's membership, store and profile in one query compiled once per process
    (every seller API request asks it; its row is kept while the database reports no change: ``_TokenRows``), as
    model instances: ``token.user``, the membership kept as ``membership_of`` keeps it, ``user.membership`` and
    ``user.desk_profile`` cached as ``select_related`` would."""
    listening = _TOKEN_ROWS.listening(default_connection)
    row = _TOKEN_ROWS.rows.get(key_hash) if listening else None
    if row is None:
        rows = _TOKEN_READ(key_hash)
        if not rows:
            return None
        row = rows[0]
        if listening:
            _TOKEN_ROWS.keep(default_connection, key_hash, row)
    # None for a membership (not a store member) or a profile the left joins did not find.
    token, user, membership, store, profile = (
        model_from_row(model, row, prefix) for model, prefix in _MEMBER_PATHS
    )
    token.user = user
    if membership is not None:
        membership.store = store
        membership.user = user
    user._desk_membership = membership
    Membership._meta.get_field("user").remote_field.set_cached_value(user, membership)  # ``user.membership``
    if profile is not None:
        profile.user = user
    UserProfile._meta.get_field("user").remote_field.set_cached_value(user, profile)  # ``user.desk_profile``
    return token


class IsMarketplace(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.user, MarketplaceClient)


class IngressTokenRateThrottle(throttling.BaseThrottle):
    """``SELLER_DESK["INGRESS_RATE_PER_MINUTE"]`` requests per integration token per minute, counted in the
    shared cache (every worker and host together); above it 429 with ``Retry-After``."""

    def allow_request(self, request, view):
        client = request.user
        if not isinstance(client, MarketplaceClient):
            return True
        self.retry_after = throttle.rate_limit_hit(
            bucket="ingress",
            subject=client.store.integration_token_hash,
            limit=settings.SELLER_DESK["INGRESS_RATE_PER_MINUTE"],
            period=60,
        )
        return not self.retry_after

    def wait(self):
        return self.retry_after


class IngressAPIMixin:
    """API views the marketplace calls with its integration token; ``self.store`` is the token's store."""

    authentication_classes = [IntegrationTokenAuthentication]
    permission_classes = [permissions.IsAuthenticated, IsMarketplace, IngressSignature]
    throttle_classes = [IngressTokenRateThrottle]

    @property
    def store(self):
        return self.request.user.store


def membership_of(user):
    """The user's membership with its store, read in one query and kept on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or isinstance(user, MarketplaceClient):
        return None
    try:
        return user._desk_membership
    except AttributeError:
        pass
    membership = Membership.objects.select_related("store").filter(user_id=user.pk).first()
    user._desk_membership = membership
    return membership


def is_platform_admin(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and getattr(user, "is_staff", False)
    ) and not isinstance(user, MarketplaceClient)


class IsStoreMember(permissions.BasePermission):
    message = gettext_lazy("This account is not a member of a store.")

    def has_permission(self, request, view):
        return membership_of(request.user) is not None


class IsStoreOwner(permissions.BasePermission):
    message = gettext_lazy("Only the store owner may do this.")

    def has_permission(self, request, view):
        membership = membership_of(request.user)
        return membership is not None and membership.role == MemberRole.OWNER


def owner_writes(message) -> type[permissions.BasePermission]:
    """A permission for a store's set-up: every member reads, only an owner writes (403 with ``message``, a
    ``gettext_lazy`` text so it follows the request's language)."""

    class OwnerWrites(permissions.BasePermission):
        def has_permission(self, request, view):
            return request.method in permissions.SAFE_METHODS or IsStoreOwner().has_permission(request, view)

    OwnerWrites.message = message
    return OwnerWrites


class IsPlatformAdminOrReadOnly(permissions.BasePermission):
    """Everyone signed in may read; only platform admins write (403 otherwise)."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return membership_of(request.user) is not None or is_platform_admin(request.user)
        return is_platform_admin(request.user)


def store_of(user) -> Store:
    membership = membership_of(user)
    if membership is None:
        raise PermissionDenied(gettext("This account is not a member of a store."))
    return membership.store


def store_member_required(view):
    """Page decorator: logged in and a store member; sets ``request.store`` and ``request.membership``."""

    @login_required
    def wrapper(request, *args, **kwargs):
        membership = membership_of(request.user)
        if membership is None:
            raise PermissionDenied(gettext("This account is not a member of a store."))
        request.membership = membership
        request.store = membership.store
        log_context(store=membership.store.slug, user=request.user.username)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def owner_required(view):
    @store_member_required
    def wrapper(request, *args, **kwargs):
        if request.membership.role != MemberRole.OWNER:
            raise PermissionDenied(gettext("Only the store owner may do this."))
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


class StoreAPIMixin:
    """Seller API views: a signed-in store member; ``self.store`` is the caller's store."""

    permission_classes = [permissions.IsAuthenticated, IsStoreMember]

    @property
    def store(self) -> Store:
        store = store_of(self.request.user)
        log_context(store=store.slug, user=self.request.user.username)
        return store


class IntegrationTokenScheme(OpenApiAuthenticationExtension):
    """Describes the marketplace's Bearer integration token in the OpenAPI schema."""

    target_class = "seller_desk.auth.IntegrationTokenAuthentication"
    name = "integrationToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": gettext("The store's integration token (ingress only)."),
        }


def preferences_on_login(sender, request, user, **kwargs):
    """At every login: the user's stored language and display zone (default: the store's) go into the
    session, where ``UserPreferencesMiddleware`` applies them to each request without a query."""
    from .middleware import remember_preferences  # the middleware imports this module

    if request is None:
        return
    profile = UserProfile.objects.filter(user=user).first()
    membership = Membership.objects.select_related("store").filter(user=user).first()
    zone = (profile.timezone if profile else "") or (membership.store.timezone if membership else "")
    remember_preferences(request, language=profile.language if profile else "", tz_name=zone)
    if profile and profile.language:
        translation.activate(profile.language)
