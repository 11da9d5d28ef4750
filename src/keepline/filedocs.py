"""Generate ``docs/import-files.md`` (``make docs``): every file keepline imports, its
columns with the other names each may be headed by (Chinese and English), and the words
its values may use. It reads the tables the importers use (the models' Field metadata,
the enums' words), so the page cannot say something the importers do not do; a test
fails when the committed page drifts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from keepline.containment import access_files
from keepline.health import files as declaration_files
from keepline.health.models import HealthCode
from keepline.health.schemas import Symptom
from keepline.people import service as roster
from keepline.people.models import EmploymentStatus
from keepline.screening import files as lab_files
from keepline.screening import kits
from keepline.vocabulary import COMMUTER_WORDS, SHIFT_WORDS, Labelled

INTRO = """# Import files: columns and words

Every file keepline imports is a table: a CSV or an Excel workbook (.xlsx, first sheet),
header on row 1. Errors name the file, the row as the spreadsheet numbers it, and the
field; a file with any bad row writes nothing, and every problem is listed (the first 20,
then a count of the rest).

**Encodings.** A CSV's encoding is told from its bytes, not its name: UTF-8 with or
without a BOM (Excel's "CSV UTF-8"), GBK/GB18030 (Excel's "CSV (逗号分隔)" on Chinese
Windows), Big5, or UTF-16 with a BOM.

**Headers.** A column may be headed by its name or by any of the other names below;
case, spaces, `_`, `-`, full-width characters and a unit in brackets (`体温（℃）`,
`temperature_c [°C]`) do not matter. Two headers naming the same column are refused.

**Values.** Zones and teams may be given by their id or their display name in either
language (`name`, `name_zh` in the plant file; a name two of them share names neither);
a housing by a dormitory zone the same way, or `commuter`. An unknown zone, shift or team
is refused with the known ones listed.

This page is generated from the importers' own tables (`python -m keepline.filedocs`,
`make docs`); a test fails if it drifts.
"""


def _columns(columns: Mapping[str, Sequence[str]], required: Sequence[str]) -> list[str]:
    lines = ["| column | also headed | required |", "|---|---|---|"]
    for name, aliases in columns.items():
        also = ", ".join(f"`{a}`" for a in aliases) or "—"
        lines.append(f"| `{name}` | {also} | {'yes' if name in required else ''} |")
    return lines


def _enum(title: str, enum: type[Labelled]) -> list[str]:
    lines = [f"{title}:", "", "| value | also written |", "|---|---|"]
    for m in enum:
        lines.append(f"| `{m.value}` | {', '.join(m.labels) or '—'} |")
    return [*lines, ""]


def render() -> str:
    out = [INTRO]
    out += [
        "## Roster (`keepline people import`, `POST /workers/import`)",
        "",
        *_columns(roster.HEADERS, roster.REQUIRED),
        "",
        *_enum("`employment_status`", EmploymentStatus),
        "`shift`: the shift's id, or a word for the usual ids:",
        "",
        "| shift id | also written |",
        "|---|---|",
        *(f"| `{sid}` | {', '.join(words)} |" for sid, words in SHIFT_WORDS.items()),
        "",
        f"`housing`: a dormitory zone, or `commuter` (also {', '.join(COMMUTER_WORDS)}).",
        "",
        "## Health declarations (`POST /declarations/import`)",
        "",
        *_columns(declaration_files.HEADERS, declaration_files.REQUIRED),
        "",
        *_enum("`symptoms` (separated by `;`, `,` or `、`)", Symptom),
        *_enum("`health_code`", HealthCode),
        "`risk_travel`, `close_contact`: yes "
        f"({', '.join(sorted(declaration_files.TRUE_WORDS - {''}))}) or no "
        f"({', '.join(sorted(declaration_files.FALSE_WORDS - {''}))}; empty is no).",
        "",
        "## Access events (`keepline containment events`, `POST /access-events/import`)",
        "",
        *_columns(access_files.HEADERS, access_files.COLUMNS),
        "",
        "Times are ISO 8601; without an offset, plant-local time.",
        "",
        "## Lab results (`keepline screening import`, `POST /screening/results`)",
        "",
        "The file as the instrument exported it, unmodified: an RDML 1.0–1.3 file (`.rdml`,",
        "or its XML), an instrument's results table (below), or keepline's template. The",
        "template: CSV/xlsx, header on row 1; the sample column may also be `sample` or",
        "`pool_id`, the Ct column `cq`.",
        "",
        *_columns(lab_files.RESULT_HEADERS, ("sample_id", "target", "ct")),
        "",
        "Not detected: "
        + ", ".join(f"`{w}`" for w in sorted(lab_files.NOT_DETECTED) if w)
        + " or empty.",
        "",
        "### Instrument results tables",
        "",
        "QuantStudio/StepOne `Results` sheet, Bio-Rad CFX `Quantification Cq Results`,",
        "SLAN/Bioer/Tianlong-style Chinese tables: the sheet named "
        + ", ".join(f"`{x}`" for x in lab_files.SHEETS)
        + " is read first, and the header row is found among the first "
        f"{lab_files.MAX_HEADER_ROW} rows (run details above it are skipped). Columns, "
        "first name found wins:",
        "",
        "| column | headed |",
        "|---|---|",
        *(
            f"| {name} | {', '.join(f'`{w}`' for w in words)} |"
            for name, words in lab_files.VENDOR_HEADERS.items()
        ),
        "",
        "Sample types (`Task`, `Content`, `样本类型`): "
        + "; ".join(
            f"{kind}: "
            + ", ".join(f"`{w}`" for w, k in lab_files.TYPE_WORDS.items() if k == kind and w)
            for kind in ("unkn", "ntc", "pos", "std")
        )
        + ". A number after a dash (`Unkn-01`, `Std-03`) is dropped.",
        "",
        "### No Cq",
        "",
        "How each instrument writes a well without a Cq (told from the RDML publisher,",
        "instrument and software, or from the table's headers and run details). A kit may",
        "add its own (`undetermined_ct`, e.g. `[0]` for a lab whose CSVs write 0).",
        "",
        "| instrument | numbers | words | source |",
        "|---|---|---|---|",
        *(
            f"| {c.instrument} | {', '.join(f'{v:g}' for v in c.values) or '—'} | "
            f"{', '.join(f'`{t}`' for t in c.texts) or '—'} | {c.source} |"
            for c in kits.CONVENTIONS
        ),
        "",
        "Empty, missing, NaN or a negative Cq (RDML's -1) is no Cq for every instrument.",
        "",
        "### Plate maps (`--plate-map`, the `plate_map` upload field)",
        "",
        "When the file does not name our tubes (a LightCycler's UUIDs, a lab's own sample",
        "names, replicate wells), a plate map says which tube sits in which well. It is",
        "CSV/xlsx with these columns, or the round's sampling list as keepline printed it:",
        "without a well column, its tubes fill the plate in list order, A1, A2, … A12, B1, …",
        "",
        *_columns(lab_files.PLATE_MAP_HEADERS, ("sample_id",)),
        "",
        "`type` marks control wells (same words as above). Wells are linked to tubes",
        "(`--match`, or detected in this order): without a plate map by `sample-id` (the",
        "file's sample id is the tube id) then `description` (an RDML sample's description);",
        "with one by `name` (its `sample_name` column against the file's sample names) then",
        "`well`. When no way links every sample well, the error lists the wells each way",
        "left unlinked.",
        "",
        "## The lab's pools (`keepline screening plan --pools`)",
        "",
        *_columns(lab_files.POOL_HEADERS, ("pool_id", "employee_no")),
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    print(render(), end="")
