import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _django_setup(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
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
    result = _django_setup(
        {
            "DJANGO_SETTINGS_MODULE": "seller_desk.settings",
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "desk.example.com",
            "DJANGO_DEBUG": "1",
        }
    )
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
