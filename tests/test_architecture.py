"""The floors of docs/architecture.md, kept by reading every app's imports (ast, no dependency).

- An app imports only apps on lower floors (never its own floor, never a higher one): no import circle can form
  between apps.
- Outside its own ``models.py``, ``selectors.py`` and ``services.py`` (and migrations), an app takes no table
  (no ``Model`` class) from another app's ``models``, only its vocabularies (``TextChoices``, rule tables):
  tables are reached through that app's selectors and services.
"""

import ast
import importlib
from pathlib import Path

import pytest
from django.db import models

ROOT = Path(__file__).resolve().parent.parent

FLOORS = {
    "seller_desk": 0,
    "templates_i18n": 1,
    "coupons": 1,
    "conversations": 2,
    "autoreply": 3,
    "campaigns": 3,
    "marketplace": 4,
    "reports": 4,
    "demo": 5,
}
MAY_IMPORT_MODELS = {"models.py", "selectors.py", "services.py"}


def _imports(path: Path):
    """(line, module, names) of every absolute import in ``path``, function-level ones included."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []


def _app_files(root: Path):
    for app in FLOORS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def _cross_app_imports(root: Path = ROOT):
    for app, path in _app_files(root):
        for line, module, names in _imports(path):
            target = module.split(".")[0]
            if target in FLOORS and target != app:
                yield app, path, line, module, names


def test_every_app_folder_is_on_a_floor():
    apps_with_models = {p.parent.name for p in ROOT.glob("*/models.py")}
    assert apps_with_models == set(FLOORS), "put a new app on a floor here and in docs/architecture.md"


def upward_imports(root: Path = ROOT) -> list[str]:
    return [
        f"{path.relative_to(root)}:{line} imports {module} "
        f"(floor {FLOORS[module.split('.')[0]]} from floor {FLOORS[app]})"
        for app, path, line, module, _ in _cross_app_imports(root)
        if FLOORS[module.split(".")[0]] >= FLOORS[app]
    ]


def test_imports_only_run_down_the_floors():
    assert upward_imports() == []


def model_reach_ins(root: Path = ROOT) -> list[str]:
    reach_ins = []
    for _, path, line, module, names in _cross_app_imports(root):
        if not module.endswith(".models") or path.name in MAY_IMPORT_MODELS:
            continue
        source = importlib.import_module(module)
        for name in names:
            value = getattr(source, name)
            if isinstance(value, type) and issubclass(value, models.Model):
                reach_ins.append(f"{path.relative_to(root)}:{line} imports {module}.{name}")
    return reach_ins


def test_other_apps_tables_are_reached_through_their_selectors_and_services():
    assert model_reach_ins() == []


@pytest.mark.parametrize(
    "filename, source, expected",
    [
        (
            "views.py",
            "from coupons.models import Coupon\n",
            ["autoreply/views.py:1 imports coupons.models.Coupon"],
        ),
        ("views.py", "from coupons.models import CouponStatus\n", []),
        ("services.py", "from coupons.models import Coupon\n", []),
    ],
)
def test_the_reach_in_check_allows_vocabularies_and_the_data_rooms_only(tmp_path, filename, source, expected):
    app = tmp_path / "autoreply"
    app.mkdir()
    (app / filename).write_text(source)
    assert model_reach_ins(tmp_path) == expected


@pytest.mark.parametrize(
    "source, line",
    [
        (
            "from campaigns.services import campaign_send_now\n",
            "1 imports campaigns.services (floor 3 from floor 2)",
        ),
        (
            "import json\n\n\ndef f():\n    from autoreply import services\n",
            "5 imports autoreply (floor 3 from floor 2)",
        ),
        ("from coupons.selectors import coupon_get\n", None),
    ],
)
def test_the_floor_check_catches_an_upward_import_even_inside_a_function(tmp_path, source, line):
    app = tmp_path / "conversations"
    app.mkdir()
    (app / "views.py").write_text(source)
    assert upward_imports(tmp_path) == ([f"conversations/views.py:{line}"] if line else [])
