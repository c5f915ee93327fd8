"""The Chinese catalogue covers every interface string, and the committed files are what ``make messages`` makes.

The check runs Django's own ``makemessages`` over a copy of the sources (the Makefile's ignore list), merging
into a copy of the committed catalogue: a template string or ``gettext`` call added without ``make messages``
shows up as a msgid the committed catalogue lacks; one added without its Chinese shows up with an empty
``msgstr``. The compiled ``.mo`` files must be the compilation of the committed ``.po`` files.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"
DOMAINS = ("django", "djangojs")
IGNORED = [".venv", "staticfiles", "test-artifacts", "tests", "bench", "media", ".git", ".cache", "docs"]


def _entries(po: Path) -> dict[str, str]:
    """msgid (the singular for plurals) -> its first msgstr, header left out."""
    text = po.read_text(encoding="utf-8")
    entries = {}
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        current, values = None, {}
        for line in lines:
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[0\])?|msgstr\[\d+\])\s+"(.*)"$', line)
            if match:
                current = match.group(1)
                values[current] = match.group(2)
            elif current and line.startswith('"'):
                values[current] += line[1:-1]
        if values.get("msgid"):
            entries[values["msgid"]] = values.get("msgstr", values.get("msgstr[0]", ""))
    return entries


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """The catalogues as ``make messages`` would write them now, from a copy of the sources."""
    work = tmp_path_factory.mktemp("messages")
    shutil.copytree(ROOT, work / "src", ignore=shutil.ignore_patterns(*IGNORED, "*.mo", "__pycache__"))
    src = work / "src"
    previous = Path.cwd()
    try:
        os.chdir(src)
        with override_settings(LOCALE_PATHS=[src / "locale"]):
            call_command(
                "makemessages",
                locale=["zh_Hans"],
                no_obsolete=True,
                no_location=True,
                ignore_patterns=IGNORED,
                verbosity=0,
            )
            call_command(
                "makemessages",
                domain="djangojs",
                locale=["zh_Hans"],
                no_obsolete=True,
                no_location=True,
                ignore_patterns=[*IGNORED, "static/desk/htmx.min.js"],
                verbosity=0,
            )
    finally:
        os.chdir(previous)
    return src / "locale" / "zh_Hans" / "LC_MESSAGES"


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_interface_string_has_its_chinese_translation(regenerated, domain):
    untranslated = sorted(
        msgid for msgid, msgstr in _entries(regenerated / f"{domain}.po").items() if not msgstr
    )
    assert untranslated == [], f"translate these in locale/zh_Hans/LC_MESSAGES/{domain}.po (make messages)"


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_committed_catalogue_is_what_make_messages_makes(regenerated, domain):
    committed = _entries(LOCALE / f"{domain}.po")
    fresh = _entries(regenerated / f"{domain}.po")
    assert sorted(set(fresh) - set(committed)) == [], "new strings: run make messages and translate them"
    assert sorted(set(committed) - set(fresh)) == [], "strings no longer in the sources: run make messages"


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalogue_is_the_committed_one(tmp_path, domain):
    out = tmp_path / f"{domain}.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(out), str(LOCALE / f"{domain}.po")], check=True)
    assert out.read_bytes() == (LOCALE / f"{domain}.mo").read_bytes(), "run make messages (compilemessages)"


def test_placeholders_survive_translation():
    """A translation that drops or renames a %(name)s would raise at render time in Chinese only."""
    placeholder = re.compile(r"%\(\w+\)[sd]")
    wrong = []
    for domain in DOMAINS:
        for msgid, msgstr in _entries(LOCALE / f"{domain}.po").items():
            if msgstr and sorted(placeholder.findall(msgid)) != sorted(placeholder.findall(msgstr)):
                wrong.append((msgid, msgstr))
    assert wrong == []


def test_chinese_is_active_for_zh_hans():
    with translation.override("zh-hans"):
        assert translation.gettext("Inbox") == "收件箱"
        assert translation.gettext("Russian") == "俄语"
        assert translation.gettext("asks about the shipping delay") == "询问发货延迟"
