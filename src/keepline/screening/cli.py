"""``keepline screening``: plan rounds, print sampling lists, record collection, import
lab results (CSV/Excel or RDML), show results and coverage."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import typer
from rich.table import Table

from keepline import clock
from keepline.clikit import (
    ACTOR,
    ENTERPRISE,
    build,
    enterprise_scope,
    parse_day,
    read_file,
    stdout_console,
)
from keepline.db import session_scope
from keepline.errors import InputError
from keepline.plans import recorded
from keepline.plant.service import get_enterprise
from keepline.screening import planning, render, rounds, samples, sampling
from keepline.screening.coverage import coverage as round_coverage
from keepline.screening.files import read_assay, read_pools
from keepline.screening.platemap import MatchBy
from keepline.screening.poolsize import KitDilution
from keepline.screening.schemas import (
    CollectionIn,
    ExcludedOut,
    PoolRecommendationOut,
    RoundIn,
)

app = typer.Typer(
    help="Screening rounds: pools, sampling lists, qPCR results (CSV/Excel, RDML), coverage.",
    no_args_is_help=True,
)


def _split(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").split(",") if x.strip()]


@app.command("plan")
def plan(
    enterprise: str = ENTERPRISE,
    day: str = typer.Option(..., "--day", help="Sampling day (YYYY-MM-DD)."),
    zones: str = typer.Option(..., help="Zones to screen, comma-separated (e.g. assembly,optics)."),
    shifts: str = typer.Option("", help="Shifts, comma-separated (default: every shift)."),
    pool_size: int = typer.Option(
        1, help="Swabs per tube: 1, 5, 10 or 20 (more than 20 is refused: national guidance)."
    ),
    test_type: str = typer.Option("pcr", help="pcr or antigen (antigen: pool size 1)."),
    kit: Path | None = typer.Option(
        None,
        help="YAML/JSON kit rule (kit, targets, internal_control, positive_max_ct, ...); "
        "default: ORF1ab and N Ct ≤ 40 with a valid IC.",
    ),
    pools: Path | None = typer.Option(
        None, help="Pools made by the lab: CSV/Excel with pool_id, employee_no (default: by team)."
    ),
    actor: str | None = ACTOR,
) -> None:
    """Plan a screening round: pools formed team by team at each zone's collection point.
    Workers who may not work that day (isolated, quarantined, a health declaration not
    cleared, a locked zone) are left out and listed with the reason."""
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        assay = read_assay(kit) if kit else None
        given = read_pools(pools.name, pools.read_bytes()) if pools else None
        body = build(
            RoundIn,
            day=parse_day(day, "--day"),
            zones=_split(zones),
            shifts=_split(shifts) or None,
            pool_size=pool_size,
            test_type=test_type,
            assay=assay,
            pools=[dict(pool_id=p, members=m) for p, m in given] if given is not None else None,
        )
        planned = planning.plan_round(session, scope, body)
        rnd, excluded = planned.round, planned.excluded
        rows = sampling.sampling_list(session, scope, rnd.id)
        rec = planned.recommendation
    t = Table(title=f"round {rnd.id}: {enterprise} {rnd.day} {rnd.test_type} pool {rnd.pool_size}")
    for c in ("collection point", "tubes", "people"):
        t.add_column(c, justify="right" if c != "collection point" else "left")
    by_point: dict[str, tuple[set[str], int]] = {}
    for r in rows:
        tubes, n = by_point.get(r.collection_point, (set(), 0))
        tubes.add(r.sample_id)
        by_point[r.collection_point] = (tubes, n + 1)
    for p, (tubes, n) in sorted(by_point.items()):
        t.add_row(p, str(len(tubes)), str(n))
    stdout_console().print(t)
    _print_excluded(excluded, f"may not work on {rnd.day}")
    if rec is None or rec.size is None:
        typer.echo(
            "pool size: no screening result in these zones in the last 14 days to recommend "
            "one from (`keepline screening recommend-pool --prevalence`)"
        )
    else:
        _print_recommendation(rec, chosen=rnd.pool_size)


def _print_recommendation(rec: PoolRecommendationOut, chosen: int | None = None) -> None:
    """Each allowed pool size's figures and the one recommended."""
    t = Table(
        title=f"pool size for {', '.join(rec.zones)} at {rec.prevalence:.2%} positive "
        f"({rec.source}); Cq shift {rec.cq_shift_per_doubling:g} per doubling"
    )
    for c in (
        "pool",
        "Dorfman tests/person",
        "positives found",
        "tests/person after dilution",
        "missed per 10,000",
        "",
    ):
        t.add_column(c, justify="right" if c else "left")
    for o in rec.options:
        mark = "recommended" if o.size == rec.size else ""
        if chosen is not None and o.size == chosen:
            mark = (mark + ", " if mark else "") + "planned"
        t.add_row(
            f"{o.size}-in-1" if o.size > 1 else "single",
            f"{o.dorfman:.3f}",
            f"{o.sensitivity:.1%}",
            f"{o.tests_per_person:.3f}",
            f"{o.missed_per_10k:.1f}",
            mark,
        )
    stdout_console().print(t)
    typer.echo(f"recommended: {rec.reason}")


@app.command("recommend-pool")
def recommend_pool(
    enterprise: str = ENTERPRISE,
    zone: str = typer.Argument(..., help="Zone(s) of the round, comma-separated."),
    prevalence: float | None = typer.Option(
        None, help="Share positive, 0..1 (default: the record's positivity in the zone)."
    ),
    days: int = typer.Option(14, help="Days of results the positivity is read from."),
    day: str | None = typer.Option(None, "--day", help="Day of the round (default: today)."),
    cq_shift: float = typer.Option(
        1.0, help="The kit's Cq shift per doubling of the pool (cycles; 1 = ideal)."
    ),
) -> None:
    """The pool size to use: Dorfman's tests per person for 1, 5, 10 and 20, corrected for
    the positives dilution loses, from the zone's recent positivity or --prevalence."""
    if not 0 < cq_shift <= 5:
        raise InputError([f"--cq-shift: expected a number of cycles in (0, 5], got {cq_shift:g}"])
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise)
        rounds.zones_and_shifts(session, scope, _split(zone), None)
        rec = rounds.recommend_pool(
            session,
            scope,
            _split(zone),
            parse_day(day, "--day") if day else clock.today(),
            prevalence=prevalence,
            days=days,
            kit=KitDilution(cq_shift_per_doubling=cq_shift),
        )
    _print_recommendation(rec)


def _print_excluded(excluded: Sequence[ExcludedOut], when: str) -> None:
    """Who is left out of a round, and why (nothing when nobody is)."""
    if not excluded:
        return
    t = Table(title=f"not in this round: {len(excluded)} ({when})")
    for c in ("employee_no", "name", "zone", "shift", "team", "reason"):
        t.add_column(c)
    for e in excluded:
        t.add_row(e.employee_no, e.name, e.zone, e.shift, e.team, ", ".join(e.reasons))
    stdout_console().print(t)


@app.command("list")
def sampling_list(
    enterprise: str = ENTERPRISE,
    round_id: int = typer.Argument(..., help="Round id."),
    point: str | None = typer.Option(None, help="Only this collection point (a zone id)."),
    html: Path | None = typer.Option(None, help="Write a printable HTML list here."),
    csv: Path | None = typer.Option(None, help="Write the list as CSV (UTF-8) here."),
) -> None:
    """The sampling list: who gives a swab into which tube, per collection point."""
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise)
        ent = get_enterprise(session, enterprise)
        rnd = rounds.get_round(session, scope, round_id)
        rows = sampling.sampling_list(session, scope, round_id, point)
        excluded = planning.excluded_from(session, scope, rnd)
        if html:
            page = render.sampling_list_html(rnd, ent.name, rows, excluded)
            html.write_text(page, encoding="utf-8")
        if csv:
            csv.write_text(render.sampling_list_csv(rows), encoding="utf-8")
    if not html and not csv:
        typer.echo(render.sampling_list_csv(rows), nl=False)
    else:
        typer.echo(f"{len(rows)} people in {len({r.sample_id for r in rows})} tubes")
        _print_excluded(excluded, f"may not work on {rnd.day}")


@app.command("collect")
def collect(
    enterprise: str = ENTERPRISE,
    sample_id: str = typer.Argument(..., help="Tube id (e.g. R3-P00012)."),
    absent: str = typer.Option("", help="Employee numbers who gave no swab, comma-separated."),
    actor: str | None = ACTOR,
) -> None:
    """Mark a tube collected (its people count as sampled, the absent as missed)."""
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        samples.record_collection(
            session, scope, sample_id, build(CollectionIn, absent=_split(absent))
        )
    typer.echo(f"{sample_id}: collected")


@app.command("import")
def import_cmd(
    enterprise: str = ENTERPRISE,
    file: Path = typer.Argument(
        ...,
        help="Lab results: an RDML 1.0-1.3 file or results table as the qPCR instrument "
        "exported it (QuantStudio/StepOne, Bio-Rad CFX, SLAN-style), or CSV/Excel "
        "(sample_id, target, ct).",
    ),
    plate_map: Path | None = typer.Option(
        None,
        "--plate-map",
        help="Well → tube id (CSV/xlsx), or the round's sampling list in well order, when "
        "the file names samples its own way.",
    ),
    match: MatchBy | None = typer.Option(
        None, "--match", help="How to link wells to tubes (detected when not given)."
    ),
    actor: str | None = ACTOR,
) -> None:
    """Import results, interpret them by each round's kit rule and act: a positive pool
    isolates its members and creates individual retests; a positive individual becomes
    a case. All or nothing; the same file twice changes nothing."""
    data = read_file(file)
    pm = (plate_map.name, read_file(plate_map)) if plate_map else None
    with session_scope() as session:
        scope = enterprise_scope(session, enterprise, actor)
        rep = recorded.import_results(session, scope, file.name, data, plate_map=pm, by=match)
    if rep.already_imported:
        typer.echo(f"{file.name}: already imported; nothing changed")
        return
    t = Table(title=f"{file.name} ({rep.format}) → {enterprise}")
    for c in (
        "readings",
        "samples",
        "positive",
        "retest",
        "resample",
        "negative",
        "isolated",
        "retests",
        "cases",
        "unchanged",
    ):
        t.add_column(c, justify="right")
    t.add_row(
        str(rep.readings),
        str(rep.samples),
        *(str(rep.verdicts.get(v, 0)) for v in ("positive", "retest", "resample", "negative")),
        str(rep.isolated),
        str(rep.retests),
        str(rep.cases),
        str(rep.unchanged),
    )
    stdout_console().print(t)
    typer.echo(f"wells linked to tubes by {rep.linked_by}")
    for c in rep.controls:
        typer.echo(
            f"control {c.kind} {c.target}: {'ok' if c.ok else 'FAILED'}: {c.note} ({c.place})"
        )


@app.command("results")
def results(
    enterprise: str = ENTERPRISE,
    round_id: int = typer.Argument(..., help="Round id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Each tube of a round with its verdict and Ct values."""
    with session_scope() as session:
        tubes = rounds.sample_results(session, enterprise_scope(session, enterprise), round_id)
    if as_json:
        typer.echo(
            json.dumps(
                [
                    dict(id=s.id, kind=s.kind, parent=s.parent_id, verdict=s.verdict, cts=s.cts)
                    for s in tubes
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    t = Table(title=f"round {round_id}")
    for c in ("tube", "kind", "point", "verdict", "Ct values", "reason"):
        t.add_column(c)
    for s in tubes:
        cts = ", ".join(f"{k} {'-' if v is None else f'{v:.1f}'}" for k, v in (s.cts or {}).items())
        t.add_row(s.id, s.kind, s.collection_point, s.verdict or "", cts, s.reason or "")
    stdout_console().print(t)


@app.command("coverage")
def coverage(
    enterprise: str = ENTERPRISE,
    round_id: int = typer.Argument(..., help="Round id."),
    who: bool = typer.Option(False, "--who", help="List the missed workers."),
) -> None:
    """Per zone and shift: expected, sampled, resulted and missed people."""
    with session_scope() as session:
        cov = round_coverage(session, enterprise_scope(session, enterprise), round_id)
    t = Table(title=f"coverage of round {round_id}")
    for c in ("zone", "shift", "expected", "sampled", "resulted", "missed"):
        t.add_column(c, justify="right" if c not in ("zone", "shift") else "left")
    for c in cov:
        t.add_row(c.zone, c.shift, *(str(x) for x in (c.expected, c.sampled, c.resulted, c.missed)))
    stdout_console().print(t)
    if who:
        for c in cov:
            for w in c.missed_workers:
                typer.echo(f"{c.zone}\t{c.shift}\t{w['employee_no']}\t{w['name']}")
