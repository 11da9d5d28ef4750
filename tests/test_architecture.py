"""The shape of the code: no import circles, no upward imports, imports at the top.

Every module of ``src/keepline`` is read with ``ast`` (nothing is imported) and put in a
layer, low to high:

0 core      errors, settings, scope, clock, tabular, words: no database, no web
1 engine    pure functions over arrays and dataclasses (listed below)
2 store     db, the tables (``models.py``), migrations, recordkit
3 schemas   the API and file shapes (``schemas.py``), apikit's shared types
4 service   a capability's logic: every other module of a capability package
5 flow      work across capabilities, above the services it composes (listed below)
6 edge      ``api.py``, ``auth.py``, ``cli.py``, the app, apikit, clikit

A module imports only its own layer or lower. A service imports another capability's
service only if that capability is a foundation (``audit``, ``plant``); an edge never
imports another package's edge (only the app and the root CLI mount them). The rules are
the ones ``docs/architecture.md`` states; a failure names the file, line and import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PKG = SRC / "keepline"

CORE = {"keepline", "keepline.errors", "keepline.settings", "keepline.scope", "keepline.clock"}
CORE |= {
    "keepline.tabular",
    "keepline.vocabulary",
    "keepline.words",
    "keepline.fields",
    "keepline.yamlkit",
}
ENGINE_PACKAGES = ("keepline.outbreak", "keepline.continuity")
ENGINES = {
    "keepline.workforce",
    "keepline.fitness",
    "keepline.scenario",
    "keepline.plant.schema",
    "keepline.plant.validate",
    "keepline.plant.yamlio",
    "keepline.plant.summary",
    "keepline.plant.docs",
    "keepline.screening.rdml",
    "keepline.screening.assay",
    "keepline.screening.kits",
    "keepline.screening.pools",
    "keepline.screening.rules",
    "keepline.screening.poolsize",
    "keepline.containment.tracing",
    "keepline.containment.availability",
    "keepline.materials.cover",
    "keepline.materials.reorder",
    "keepline.people.idnumber",
    "keepline.people.generate",
    "keepline.production.today",
    "keepline.assessment.prevention",
    "keepline.assessment.headline",
    "keepline.assessment.sweep",
    "keepline.assessment.run",
    "keepline.assessment.report",
    "keepline.plans.schema",
    "keepline.plans.planfile",
    "keepline.plans.engine",
    "keepline.plans.docs",
    "keepline.difficulties.deadlines",
    "keepline.plans.replay",
    "keepline.plans.drill_report",
    "keepline.government.briefing_page",
}
STORE = {"keepline.db", "keepline.models", "keepline.recordkit"}
SCHEMAS = {"keepline.apikit"}
EDGES = {
    "keepline.api",
    "keepline.cli",
    "keepline.__main__",
    "keepline.server_cli",
    "keepline.db_cli",
    "keepline.clikit",
    "keepline.apikit.auth",
    "keepline.apikit.deps",
    "keepline.apikit.headers",
    "keepline.apikit.lists",
    "keepline.apikit.params",
    "keepline.apikit.docs",
    "keepline.filedocs",
}
# The web console's pages are edges like the API's routers: each page area calls the
# services and flows of the capabilities it shows. Its table (``console.models``), its
# link tokens (``console.links``, a service) and its catalogs (``i18n``, ``catalog``) are not.
CONSOLE_EDGES = {
    f"keepline.console.{m}"
    for m in (
        "web",
        "router",
        "signin",
        "today",
        "workers",
        "declare",
        "clearance",
        "cases",
        "screening",  # issues 19 and 20
        "government",  # issue 17: difficulties and visits
        "plans",  # issue 18: versions, activations, tasks
        "jobs",  # issue 19: the assessment and a background job's page
        "production_plan",  # issue 19: the plan's chart and re-plan from today
        "materials",  # issue 19: stock, cover, movements
        "logistics",  # issue 19: shipments, passes
        "output",  # issue 19: output per line
    )
}
EDGES |= CONSOLE_EDGES
# Modules that compose the services of several capabilities (a delivery that writes
# stock, re-plan from today, ...). Each is named for its flow.
FLOWS = {
    "keepline.screening.positives",  # a positive result opens isolations and cases
    "keepline.screening.planning",  # a round of those who may work that day
    "keepline.people.work_today",  # the roster with whether each worker may work today
    "keepline.government.daily_report",  # an enterprise's day, aggregated for its government
    "keepline.retention.purge",  # health records past their retention, across capabilities
    "keepline.people.erasure",  # a worker erased with every record of theirs
    "keepline.government.staffing",  # a jurisdiction's officers become accounts
    "keepline.government.prefill",  # a resumption application answered from the record
    "keepline.government.generate",  # a synthetic city of plants, rosters and reports
    "keepline.materials.outlook",  # days of cover from stock, who is on site and the plan
    "keepline.materials.supply_options",  # each material's suppliers and their status
    "keepline.logistics.delivery",  # a delivery writes a stock receipt
    "keepline.logistics.dispatch",  # a shipment leaves with goods made and not yet shipped
    "keepline.production.backflush",  # recorded output issues its materials from stock
    "keepline.production.progress",  # order progress from the shipments against each order
    "keepline.production.gather",  # the daily record's state at the end of a day
    "keepline.production.replan",  # re-plan from today
    "keepline.plans.snapshot",  # the daily record read for the plans' triggers
    "keepline.plans.activations",  # a plan's rules fire and run their actions
    "keepline.plans.drill",  # a plan drilled on a copy of the plant (plant and roster read)
    "keepline.plans.drill_job",  # a loaded plan's drill as a job, recorded
    "keepline.government.briefing",  # a visit's briefing pack from the enterprise's record
    "keepline.assessment.from_record",  # the assessment of a loaded plant, as a job
    "keepline.jobs.kinds",  # the kinds of background job and the flows they run
    "keepline.people.import_job",  # a roster file checked and imported as jobs
    "keepline.plans.recorded",  # a write to the record, then the plans reading it
}
FOUNDATION = {"audit", "plant"}
# Kits every edge builds on (not a capability's edge).
KITS = {"apikit"}
# Libraries an engine may not import: engines are pure.
IMPURE = ("sqlalchemy", "fastapi", "starlette", "typer", "keepline.db", "alembic", "psycopg")
# Third-party libraries that may be imported inside a function, and why: each costs
# about a second at start-up and serves one path only, so `keepline --help` and the API
# do not pay for it.
LAZY = {
    "dask": "the Dask scheduler, only for `--scheduler`",
    "distributed": "the Dask scheduler, only for `--scheduler`",
    "matplotlib": "plots, only when a report or a plot is written",
    "alembic": "migrations, only when a database is opened",
    "openpyxl": "Excel files, only when one is read or written",
}
LAYERS = ("core", "engine", "store", "schemas", "service", "flow", "edge")


@dataclass(frozen=True)
class Import:
    source: str  # module importing
    target: str  # module (or package) imported
    line: int
    top: bool  # at module level (or under `if TYPE_CHECKING:`)


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def layer(name: str) -> str:
    if name in CORE:
        return "core"
    if name in ENGINES or (name.startswith(ENGINE_PACKAGES) and not name.endswith(".cli")):
        return "engine"
    if name in STORE or name.endswith(".models") or name.startswith("keepline.migrations"):
        return "store"
    if name in SCHEMAS or name.endswith(".schemas"):
        return "schemas"
    if name in FLOWS:
        return "flow"
    last = name.rsplit(".", 1)[-1]
    if name in EDGES or last in ("api", "auth", "cli") or last.endswith("_cli"):
        return "edge"
    return "service"


def package(name: str) -> str | None:
    """The capability a module belongs to (``people`` for ``keepline.people.api``)."""
    parts = name.split(".")
    return parts[1] if len(parts) > 2 else None


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, top: bool) -> Iterator[tuple[ast.AST, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, top
        elif isinstance(child, ast.If) and top and _is_type_checking(child):
            yield from _walk(child, True)
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _walk(child, False)
        else:
            yield from _walk(child, top)


def imports(known: dict[str, Path]) -> list[Import]:
    out: list[Import] = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_pkg = path.name == "__init__.py"
        for node, top in _walk(tree, True):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                assert isinstance(node, ast.ImportFrom)
                base = node.module or ""
                if node.level:
                    anchor = name.split(".")
                    if not is_pkg:
                        anchor = anchor[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from keepline.x import y` imports the module keepline.x.y when it is one
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
                ]
            for t in targets:
                out.append(Import(name, t, node.lineno, top))
    return out


KNOWN = modules()
IMPORTS = imports(KNOWN)
OURS = [i for i in IMPORTS if i.target in KNOWN]


def where(i: Import) -> str:
    return f"{KNOWN[i.source].relative_to(SRC.parent)}:{i.line}: {i.source} imports {i.target}"


def test_every_module_is_read() -> None:
    assert len(KNOWN) > 100
    assert {"keepline.scope", "keepline.apikit.auth", "keepline.clock"} <= set(KNOWN)


def test_imports_are_at_the_top_of_the_file() -> None:
    inner = [where(i) for i in IMPORTS if not i.top and i.target.split(".")[0] not in LAZY]
    assert not inner, "imports inside functions:\n" + "\n".join(inner)


def test_no_import_circles() -> None:
    graph: dict[str, set[str]] = {m: set() for m in KNOWN}
    for i in OURS:
        if i.top and i.target != i.source:
            graph[i.source].add(i.target)
    cycles = _strongly_connected(graph)
    assert not cycles, "import circles:\n" + "\n".join(" -> ".join(sorted(c)) for c in cycles)


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative; components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[set[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            nxt = next(it, None)
            if nxt is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = set()
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.add(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(comp)
            elif nxt not in index:
                index[nxt] = low[nxt] = counter
                counter += 1
                stack.append(nxt)
                on.add(nxt)
                work.append((nxt, iter(sorted(graph[nxt]))))
            elif nxt in on:
                low[v] = min(low[v], index[nxt])
    return out


def test_a_module_imports_only_its_layer_or_lower() -> None:
    rank = {name: n for n, name in enumerate(LAYERS)}
    bad = [
        f"{where(i)} ({layer(i.source)} → {layer(i.target)})"
        for i in OURS
        if rank[layer(i.target)] > rank[layer(i.source)]
    ]
    assert not bad, "upward imports:\n" + "\n".join(bad)


def test_engines_are_pure() -> None:
    bad = [
        where(i)
        for i in IMPORTS
        if layer(i.source) == "engine"
        and (i.target + ".").startswith(tuple(f"{m}." for m in IMPURE))
    ]
    assert not bad, "engines importing a database, web or CLI library:\n" + "\n".join(bad)


def test_services_do_not_import_sibling_services() -> None:
    bad = []
    for i in OURS:
        if layer(i.source) != "service" or layer(i.target) != "service":
            continue
        src, dst = package(i.source), package(i.target)
        if dst is not None and src != dst and dst not in FOUNDATION:
            bad.append(where(i))
    assert not bad, "a service importing another capability's service (use a flow):\n" + "\n".join(
        bad
    )


def test_edges_do_not_import_other_packages_edges() -> None:
    # The app and the root CLI mount every package; `plan_cli` gives `keepline plan` its
    # two sources (a plant file, or today's record) from the continuity and production CLIs.
    mounts = {"keepline.api", "keepline.cli", "keepline.plan_cli"}
    bad = []
    for i in OURS:
        if i.source in mounts or layer(i.source) != "edge" or layer(i.target) != "edge":
            continue
        src, dst = package(i.source), package(i.target)
        if dst is not None and dst not in KITS and src != dst:
            bad.append(where(i))
    assert not bad, "an api/cli importing another package's api/cli:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("keepline.scope", "core"),
        ("keepline.continuity.plan", "engine"),
        ("keepline.continuity.cli", "edge"),
        ("keepline.people.models", "store"),
        ("keepline.people.schemas", "schemas"),
        ("keepline.people.service", "service"),
        ("keepline.people.api", "edge"),
        ("keepline.apikit.auth", "edge"),
    ],
)
def test_layers_are_assigned_as_documented(name: str, expected: str) -> None:
    assert layer(name) == expected
