"""The console's message catalogs: extract every translatable string, keep the ``.po``
files in step.

``python -m keepline.console.catalog`` extracts the strings of the templates
(``_("...")``, ``ngettext``, ``{% trans %}``), of the console's Python (``N_``, ``_``,
``gettext``), of the assessment report's template and the services' messages
(``keepline.errors.msg``, anywhere in the package: errors a console user meets, shown in
their language) with babel's extractors,
adds the new ones to each catalog (untranslated) and drops the ones no longer used;
translators then fill ``msgstr``. A test fails while any string has no translation in
either catalog.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from keepline.console.i18n import LANGUAGES, po_path

ROOT = Path(__file__).parent
METHODS = [("templates/**.html", "jinja2.ext:babel_extract"), ("*.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}


PACKAGE = ROOT.parent
# The services' messages a console user can meet (keepline.errors.msg), in every module.
SERVICE_METHODS = [("**.py", "python")]
SERVICE_KEYWORDS = {"msg": None}
# The assessment's report, drawn in the reader's language when the console opens it.
REPORT = PACKAGE / "assessment" / "templates"
REPORT_METHODS = [("**.j2", "jinja2.ext:babel_extract")]
REPORT_OPTIONS = {"**.j2": {"extensions": "jinja2.ext.i18n"}}


def extract() -> Catalog:
    """Every message of the console and every ``msg(...)`` of the package, as a catalog
    with no translations."""
    catalog = Catalog(project="keepline", charset="utf-8")
    found = [
        ("console", extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS, options_map=OPTIONS)),
        ("", extract_from_dir(str(PACKAGE), SERVICE_METHODS, keywords=SERVICE_KEYWORDS)),
        (
            "assessment/templates",
            extract_from_dir(
                str(REPORT), REPORT_METHODS, keywords=KEYWORDS, options_map=REPORT_OPTIONS
            ),
        ),
    ]
    for under, messages in found:
        for filename, lineno, message, comments, context in messages:
            where = f"{under}/{filename}" if under else filename
            catalog.add(message, None, [(where, lineno)], auto_comments=comments, context=context)
    return catalog


def read(lang: str) -> Catalog:
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


def untranslated(template: Catalog, catalog: Catalog) -> list[str]:
    """The messages of ``template`` with no translation in ``catalog``."""
    out = []
    for m in template:
        if not m.id:
            continue
        found = catalog.get(m.id, m.context)
        strings = found.string if found is not None else None
        ok = all(strings) if isinstance(strings, tuple | list) else bool(strings)
        if not ok:
            out.append(m.id if isinstance(m.id, str) else m.id[0])
    return out


def update() -> None:
    """Merge the extracted messages into each ``.po`` (new ones untranslated)."""
    template = extract()
    for lang in LANGUAGES:
        path = po_path(lang)
        catalog = read(lang) if path.exists() else Catalog(locale=lang, project="keepline")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(
                f, catalog, width=100, omit_header=False, sort_output=True, include_lineno=False
            )
        missing = untranslated(template, catalog)
        print(f"{path}: {len(template)} messages, {len(missing)} untranslated", file=sys.stderr)


if __name__ == "__main__":
    update()
