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


def _our_scripts() -> list[Path]:
    """The desk's own JavaScript (the vendored htmx left out), as ``make messages`` reads it."""
    return sorted(
        path
        for path in ROOT.rglob("*.js")
        if "static" in path.relative_to(ROOT).parts
        and path.name != "htmx.min.js"
        and not set(path.relative_to(ROOT).parts) & {*IGNORED, "node_modules"}
    )


def _without_gettext_calls(source: str) -> str:
    """The script with its comments and its ``gettext(…)``/``ngettext(…)`` calls (arguments included) cut out."""
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    source = re.sub(r"(?m)^\s*//.*$|(?<=[;{}),])\s*//[^\n]*", "", source)
    out, i = [], 0
    for match in re.finditer(r"\bn?gettext\(", source):
        if match.start() < i:
            continue
        out.append(source[i : match.start()])
        depth, j, quote = 1, match.end(), None
        while j < len(source) and depth:
            ch = source[j]
            if quote:
                if ch == "\\":
                    j += 1
                elif ch == quote:
                    quote = None
            elif ch in "\"'`":
                quote = ch
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            j += 1
        i = j
    out.append(source[i:])
    return "".join(out)


# An English phrase: a capitalised word and another word ("Attach a photo (JPG…)", "Draft saved %(time)s"), or
# one capitalised word alone ("Replace"); key and event names and form values are not words shown to people.
PHRASE = re.compile(r"""(["'`])((?:\\.|(?!\1).)*?)\1""")
ENGLISH = re.compile(r"^[A-Z][a-z]*(?: [A-Za-z][a-z]*)+\b|^[A-Z][a-z]{2,}[.!?…]?$")
NOT_WORDS = {"DOMContentLoaded", "Enter", "Escape", "ArrowDown", "ArrowUp", "Tab", "True", "False"}


def test_every_user_visible_string_in_our_javascript_goes_through_gettext():
    """A sentence written straight into a script would stay English in the Chinese desk: it has to go through
    the JavaScript catalogue, where the tests above make sure it has its Chinese."""
    scripts = _our_scripts()
    assert len(scripts) >= 8, [str(p) for p in scripts]
    raw = []
    for path in scripts:
        code = _without_gettext_calls(path.read_text(encoding="utf-8"))
        for match in PHRASE.finditer(code):
            text = match.group(2).strip()
            if ENGLISH.match(text) and text not in NOT_WORDS:
                raw.append(f"{path.relative_to(ROOT)}: {text}")
    assert raw == []


def test_the_javascript_catalogue_serves_chinese():
    from django.test import Client

    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-CN").get("/jsi18n/").content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/jsi18n/").content.decode()
    assert (
        "\\u8349\\u7a3f\\u5df2\\u4fdd\\u5b58" in chinese or "草稿已保存" in chinese
    )  # "Draft saved %(time)s"
    assert "草稿已保存" not in english and "\\u8349\\u7a3f" not in english
