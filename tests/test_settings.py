import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k3Jx9-pQ2vL8wZr5_TmN7bYc4HdF6sGa1eUoIiPqRtWyXzV0nMlKjB"
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "seller_desk.settings",
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": STRONG_KEY,
    "DJANGO_ALLOWED_HOSTS": "desk.example.com",
    "REDIS_URL": "redis://127.0.0.1:6379/9",
}


def _django_setup(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "REDIS_URL"}
    env.update(env_overrides)
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_its_secrets():
    result = _django_setup({"DJANGO_SETTINGS_MODULE": "seller_desk.settings", "DJANGO_ENV": "production"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_never_runs_with_debug():
    result = _django_setup({**PRODUCTION_ENV, "DJANGO_DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['desk.example.com']"


def test_development_serves_localhost_with_debug_off():
    result = _django_setup({"DJANGO_SETTINGS_MODULE": "seller_desk.settings", "DJANGO_DEBUG": "0"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['localhost', '127.0.0.1', 'testserver']"


def test_api_and_own_assets_are_served_on_localhost_with_debug_off(client, settings, db):
    settings.DEBUG = False
    assert client.get("/api/schema/", HTTP_HOST="localhost").status_code == 200
    htmx = client.get("/static/desk/htmx.min.js", HTTP_HOST="127.0.0.1")
    assert htmx.status_code == 200
    assert b"htmx" in b"".join(htmx.streaming_content)


def _manage(env_overrides: dict, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "REDIS_URL"}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_under_production_settings_reports_no_issue():
    result = _manage(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_settings_turn_on_hsts_ssl_redirect_and_secure_cookies():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "REDIS_URL"}
    env.update(PRODUCTION_ENV)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # No proxy configured: X-Forwarded-Proto is not believed.
    assert result.stdout.strip() == "31536000 True True True True True None"


@pytest.mark.parametrize(
    "weak_key",
    [
        "x" * 60,
        "short-but-random-Q7vK2",
        "django-insecure-" + STRONG_KEY,
        "dev-only-insecure-key-change-me" * 2,
    ],
)
def test_production_refuses_a_weak_secret_key(weak_key):
    result = _django_setup({**PRODUCTION_ENV, "DJANGO_SECRET_KEY": weak_key})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is too weak: use at least 50 random characters" in result.stderr


def test_production_refuses_to_start_without_the_shared_cache():
    env = dict(PRODUCTION_ENV)
    del env["REDIS_URL"]
    result = _django_setup(env)
    assert result.returncode != 0
    assert "REDIS_URL must be set when DJANGO_ENV=production" in result.stderr


def test_demo_mode_is_off_in_production_and_on_in_development():
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEMO_MODE)"

    def demo_mode(env):
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("DJANGO_") and k not in ("REDIS_URL", "DEMO_MODE")
        }
        base.update(env)
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert demo_mode(PRODUCTION_ENV) == "False"
    assert demo_mode({"DJANGO_SETTINGS_MODULE": "seller_desk.settings"}) == "True"
    assert demo_mode({**PRODUCTION_ENV, "DEMO_MODE": "1"}) == "True"
