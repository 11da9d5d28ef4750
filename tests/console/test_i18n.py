"""The console's two catalogs are complete and consistent, and the language is chosen as
documented; dates and numbers come out in each locale's own format."""

from __future__ import annotations

import datetime as dt
import re

from babel.messages.catalog import Catalog
from pydantic import BaseModel, Field, ValidationError

from keepline.console import catalog, web
from keepline.console.cases import note_text
from keepline.console.i18n import Language, negotiate, schema_message
from keepline.console.plans import drill_reason
from keepline.containment.contacts import note as note_of
from keepline.errors import InputError, Msg, msg, quote
from keepline.recordkit import bad
from keepline.vocabulary import known

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_every_console_string_is_translated_in_both_catalogs() -> None:
    template = catalog.extract()
    assert len(template) > 150  # the templates and the console's Python were read
    for lang in ("zh_CN", "en"):
        assert catalog.untranslated(template, catalog.read(lang)) == [], lang


def test_a_missing_translation_is_caught() -> None:
    template = catalog.extract()
    partial = Catalog(locale="zh_CN")
    for m in template:
        if m.id and m.id not in ("Sign in", "Today"):
            partial.add(m.id, "x" if isinstance(m.id, str) else ("x",), context=m.context)
    partial.add("Sign in", "")  # present but empty; "Today" absent
    assert sorted(catalog.untranslated(template, partial)) == ["Sign in", "Today"]


def test_translations_keep_every_placeholder() -> None:
    zh = catalog.read("zh_CN")
    for m in zh:
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) == wanted, (m.id, s)


def test_the_language_is_the_cookie_then_the_browser_then_chinese() -> None:
    assert negotiate(None) == "zh_CN"
    assert negotiate("") == "zh_CN"
    assert negotiate("fr-FR,fr;q=0.9") == "zh_CN"
    assert negotiate("en-US,en;q=0.9,zh-CN;q=0.8") == "en"
    assert negotiate("zh-TW;q=0.5,en;q=0.4") == "zh_CN"
    assert negotiate("de;q=1,en;q=0.2,zh;q=0.3") == "zh_CN"
    assert negotiate("en-US", cookie="zh_CN") == "zh_CN"
    assert negotiate("zh-CN", cookie="en") == "en"
    assert negotiate("zh-CN", cookie="xx") == "zh_CN"


def test_dates_and_numbers_in_the_locale_format() -> None:
    zh, en = Language("zh_CN"), Language("en")
    day = dt.date(2026, 12, 7)
    assert zh.date(day) == "2026年12月7日"
    assert en.date(day) == "Dec 7, 2026"
    assert zh.number(12345.678) == "12,345.7" == en.number(12345.678)
    assert en.number(10000) == "10,000"
    assert en.percent(0.875) == "87.5%"
    assert zh.gettext("Sign in") == "登录" and en.gettext("Sign in") == "Sign in"
    assert zh.ngettext("%(n)s row", "%(n)s rows", 3) == "共 3 行"
    assert en.ngettext("%(n)s row", "%(n)s rows", 1) == "1 row"


def test_service_errors_are_in_the_catalogs_and_read_in_the_users_language() -> None:
    """The services' messages (``keepline.errors.msg``) are extracted with the console's,
    so the completeness test above fails while one lacks a translation; the API keeps
    the English text, the console shows the catalog's."""
    ids = {m.id for m in catalog.extract()}
    assert {"unknown team %(team)s %(known)s", "no worker %(no)s", "the file is empty"} <= ids
    problem = msg("unknown team %(team)s %(known)s", team=quote("x-1"), known=known(["a", "b"]))
    assert problem == "unknown team 'x-1' (known: a, b)"  # what the API and the CLI show
    assert Language("zh_CN").message(problem) == "未知班组 'x-1' （可用：a, b）"
    assert Language("en").message(problem) == problem
    assert Language("zh_CN").message("not a Msg") == "not a Msg"
    many = InputError([msg("the file is empty")] * 22)
    assert Language("zh_CN").error(many)[-1] == "……另有 2 个问题未列出"
    assert str(many).splitlines()[-1] == "… and 2 more problems not shown"


def test_a_refusal_by_field_reads_in_the_users_language() -> None:
    """A form shows a refusal's line without its field's name, next to the field: the
    English part for the API's reader, the catalog's for the page's."""
    zh, en = Language("zh_CN"), Language("en")
    err = bad("qty", msg("a count cannot be negative, got %(qty)s", qty="-3"))
    assert str(err) == "qty: a count cannot be negative, got -3"  # the API's and the CLI's
    lines = [*err.problems, msg("zones: name at least one zone"), "day: plain text"]
    errors = web.field_errors(lines, ["qty", "zones", "day"])
    assert errors["qty"] == ["a count cannot be negative, got -3"]
    assert [zh.message(e) for e in errors["qty"]] == ["盘点数量不能为负，实际为 -3"]
    assert [zh.message(e) for e in errors["zones"]] == ["请至少选择一个区域"]
    assert [en.message(e) for e in errors["zones"]] == ["name at least one zone"]
    assert [zh.message(e) for e in errors["day"]] == ["plain text"]
    assert web.test_label("antigen") == "antigen" and zh.gettext(web.test_label("pcr")) != "pcr"


def test_notes_and_drill_reasons_written_by_the_code_are_translated() -> None:
    zh = Language("zh_CN")
    note = note_of(["team", "zone-shift"], "team of a case")
    assert note == "contact by team, zone-shift: team of a case"
    kept = '<span translate="no">team of a case</span>'  # as typed, marked so
    assert note_text(zh, note) == f"接触方式：同班组、同区域同班次：{kept}"
    assert note_text(Language("en"), note) == f"contact: same team, same zone and shift: {kept}"
    assert note_text(zh, "typed <b>") == '<span translate="no">typed &lt;b&gt;</span>'
    assert note_text(zh, "contact by telepathy") == (  # not ours: as it is
        '<span translate="no">contact by telepathy</span>'
    )
    both = "its rule is not simulated; a reason with 3 in it"
    assert drill_reason(zh, both) == "其规则未被模拟; a reason with 3 in it"


def test_a_schema_refusal_reads_in_the_users_language() -> None:
    """pydantic's commonest messages: translated when they read exactly as pydantic's
    English, else pydantic's text as it is."""

    class Form(BaseModel):
        qty: float = Field(gt=0)
        days: int = Field(le=60)
        day: dt.date

    try:
        Form.model_validate({"qty": "0", "days": "90"})
    except ValidationError as exc:
        lines = web.validation_lines(exc)
    assert lines == [
        "qty: Input should be greater than 0",
        "days: Input should be less than or equal to 60",
        "day: Field required",
    ]
    zh = Language("zh_CN")
    errors = web.field_errors(lines, ["qty", "days", "day"])
    assert [zh.message(errors[f][0]) for f in ("qty", "days", "day")] == [
        "应大于 0",
        "应小于或等于 60",
        "必填",
    ]
    odd = {"type": "greater_than", "msg": "Input should be greater than 0.5", "ctx": {"gt": 1}}
    assert not isinstance(schema_message(odd), Msg)  # does not read as pydantic's: as is
