"""Read a plan file and check it, naming the file, line and field of every problem.

``load_plan(path, plant)`` parses the YAML (with :func:`keepline.plant.yamlio.read_located`,
so lines are found as for the plant file), validates it against the pydantic model of
:mod:`keepline.plans.schema`, then checks what one field cannot: ids unique, levels
known, every action allowed at its rule's level, roles known, ``$zone`` / ``{zone}``
used only where the trigger carries a zone, every zone, shift, material, supplier, lane
and region known to the plant, and no two rules that loop (an action whose result can
make its own rule's trigger hold again, directly or through other rules). Every problem
is one line, ``plan.yaml:42 rules[3].when.zone: unknown zone 'assembly-z' (known: ...)``;
all are reported (up to :data:`MAX_PROBLEMS`), in an :class:`InputError`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from pathlib import Path as FsPath
from typing import Any, get_args

from pydantic import ValidationError

from keepline.errors import InputError, Msg, msg, quote
from keepline.plans import schema as s
from keepline.plant.schema import PlantFile
from keepline.plant.validate import Locator, Path, duplicate_ids, path_str
from keepline.plant.yamlio import read_located, read_text_checked

MAX_PROBLEMS = 100
WHAT = "plan file"

_UNIT_SUFFIXES = ("days", "day", "hours", "hour", "h", "minutes", "mins", "min", "m", "weeks")
_UNIT_SUFFIXES += ("week", "w", "d", "seconds", "s", "percent", "pct", "share", "fraction")


def load_plan(path: FsPath | str, plant: PlantFile | None = None) -> s.PlanFile:
    """Read and check a plan file (against ``plant`` when given)."""
    path = FsPath(path)
    return parse_plan(read_text_checked(path, WHAT), str(path), plant)


def parse_plan(text: str, name: str, plant: PlantFile | None = None) -> s.PlanFile:
    data, locate = read_located(text, name, WHAT)
    return validate_plan(data, locate, plant)


def validate_plan(data: Any, locate: Locator, plant: PlantFile | None = None) -> s.PlanFile:
    """The checked plan, or an :class:`InputError` listing every problem found."""
    if data is None or data == {}:
        raise InputError([msg("%(where)s: the plan file is empty", where=locate(()))])
    if not isinstance(data, dict):
        raise InputError(
            [msg("%(where)s: expected a mapping of plan keys at the top", where=locate(()))]
        )
    try:
        plan = s.PlanFile.model_validate(data)
    except ValidationError as exc:
        found = [_explain(err, data) for err in exc.errors()]
        raise _limited(_in_file_order(found, locate)) from None
    found = check_plan(plan, plant, locate)
    if found:
        raise _limited(_in_file_order(found, locate))
    return plan


def _in_file_order(found: list[tuple[Path, str]], locate: Locator) -> list[str]:
    """``file:line field: message`` lines, sorted by line (stable: a line keeps its order)."""
    placed = [(locate(p), path_str(p), m) for p, m in found]
    placed.sort(key=lambda x: _line_of(x[0]))
    return [
        msg("%(where)s %(field)s: %(message)s", where=where, field=field, message=m)
        for where, field, m in placed
    ]


def _line_of(where: str) -> int:
    tail = where.rpartition(":")[2]
    return int(tail) if tail.isdigit() else 0


def _limited(problems: list[str]) -> InputError:
    """The error keeping the first ``MAX_PROBLEMS`` problems and counting the others."""
    return InputError(problems[:MAX_PROBLEMS], unlisted=max(0, len(problems) - MAX_PROBLEMS))


# -- pydantic's errors, said plainly -----------------------------------------------------


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[Path, Any]:
    """Keep the parts of pydantic's location that step into the data.

    Pydantic names the member of a union it chose right after the union's place (a
    trigger at ``when``, ``all[k]``, ``any[k]``; an action at ``actions[k]``): that tag is
    dropped, as are its internal step names. The last part is kept even when absent (a
    missing field is named by it). Returns the path and the value at its parent.
    """
    out: list[str | int] = []
    here = data
    parent = data
    tag_next = False
    for i, part in enumerate(loc):
        if tag_next:
            tag_next = False
            if isinstance(part, str) and part in (s.trigger_tag(here), _action_tag(here)):
                continue
        if isinstance(part, str) and "[" in part:
            continue
        steps_in = (isinstance(here, dict) and part in here) or (
            isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here)
        )
        if steps_in:
            tag_next = part == "when" or (
                isinstance(part, int) and bool(out) and out[-1] in ("all", "any", "actions")
            )
            parent, here = here, here[part]
            out.append(part)
        elif i == len(loc) - 1 and isinstance(part, str):
            parent = here
            out.append(part)
    return tuple(out), parent


def _action_tag(value: Any) -> str | None:
    return value.get("do") if isinstance(value, dict) else None


def _known(items: Any) -> Msg:
    items = list(items)
    shown = ", ".join(items[:12])
    if not items:
        return msg("(none defined)")
    return msg("(known: %(items)s)", items=shown + (", …" if len(items) > 12 else ""))


UNKNOWN = {
    "level": msg("unknown level %(value)s %(known)s"),
    "role": msg("unknown role %(value)s %(known)s"),
    "zone": msg("unknown zone %(value)s %(known)s"),
    "material": msg("unknown material %(value)s %(known)s"),
    "supplier": msg("unknown supplier %(value)s %(known)s"),
    "lane": msg("unknown lane %(value)s %(known)s"),
    "shift": msg("unknown shift %(value)s %(known)s"),
}


def _unknown(what: str, value: object, known: Any) -> Msg:
    """``unknown <what> 'value' (known: ...)``."""
    return msg(UNKNOWN[what].msgid, value=repr(value), known=_known(known))


def _model_for(value: Any) -> type[s.Strict] | None:
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("kind"), str):
        return s.LEAF_BY_KIND.get(value["kind"])
    if isinstance(value.get("do"), str):
        return next(
            (a for a in s.ACTIONS if get_args(a.model_fields["do"].annotation)[0] == value["do"]),
            None,
        )
    return None


def _strip_unit(name: str) -> str:
    stem, _, tail = name.rpartition("_")
    if stem and tail in _UNIT_SUFFIXES:
        return stem
    for word in ("_days_", "_hours_", "_weeks_", "_minutes_"):
        if word in f"_{name}_" and name != word.strip("_"):
            return f"_{name}_".replace(word, "_UNIT_").strip("_")
    return name


def _wrong_unit(key: str, model: type[s.Strict] | None) -> str | None:
    if model is None:
        return None
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if "unit" not in extra or name == key:
            continue
        if _strip_unit(key) == _strip_unit(name):
            if name == "deadline":
                return f"wrong unit: the deadline is a duration: write deadline: {s.DURATION_FORMS}"
            return f"wrong unit: this field is in {extra['unit']}: write {name}"
    return None


def _explain(err: dict[str, Any], data: Any) -> tuple[Path, str]:
    loc, parent = _data_path(tuple(err["loc"]), data)
    kind = err["type"]
    value = _value_at(data, loc)
    if kind == "missing":
        return loc, msg("required field is missing")
    if kind == "extra_forbidden":
        hint = _wrong_unit(str(loc[-1]), _model_for(parent)) if loc else None
        return loc, hint or msg("unknown field")
    if kind == "trigger_kind":
        known = ", ".join([*s.LEAF_BY_KIND, "all", "any"])
        if isinstance(value, dict) and "kind" in value:
            return (*loc, "kind"), f"unknown trigger kind {value['kind']!r} (known: {known})"
        return loc, f"a trigger needs 'kind:' (one of {known})"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        known = ", ".join(k.value for k in s.ActionKind)
        if isinstance(value, dict) and "do" in value:
            return (*loc, "do"), f"unknown action {value['do']!r} (known: {known})"
        return loc, f"an action needs 'do:' (one of {known})"
    text = err["msg"]
    if text.startswith("Value error, "):
        text = text[len("Value error, ") :]
    text = text[0].lower() + text[1:] if text else text
    if "input" in err and not isinstance(err["input"], dict | list) and "got " not in text:
        text += f" (got {quote(err['input'])})"
    return loc, text


def _value_at(data: Any, loc: Path) -> Any:
    here = data
    for part in loc:
        try:
            here = here[part]
        except (KeyError, IndexError, TypeError):
            return None
    return here


# -- checks on a valid plan ---------------------------------------------------------------


def walk_leaves(trigger: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    """Every leaf trigger with its field path."""
    if isinstance(trigger, s.AllOf):
        for k, t in enumerate(trigger.all):
            yield from walk_leaves(t, (*path, "all", k))
    elif isinstance(trigger, s.AnyOf):
        for k, t in enumerate(trigger.any):
            yield from walk_leaves(t, (*path, "any", k))
    else:
        yield path, trigger


def check_plan(
    plan: s.PlanFile, plant: PlantFile | None = None, locate: Locator | None = None
) -> list[tuple[Path, str]]:
    """Every whole-plan rule that one field cannot check (and the plant's references).

    ``locate`` (a field path → ``file:line``) lets a loop name the line of every rule in it.
    """
    out: list[tuple[Path, str]] = []
    out += _unique(plan)
    levels = [lv.id for lv in plan.levels]
    allows = {lv.id: lv.allows for lv in plan.levels}
    for i, rule in enumerate(plan.rules):
        here: Path = ("rules", i)
        if rule.level not in allows:
            out.append(((*here, "level"), _unknown("level", rule.level, levels)))
        carried = s.carries(rule.when)
        for j, action in enumerate(rule.actions):
            at: Path = (*here, "actions", j)
            kind = s.ActionKind(action.do)
            if rule.level in allows and kind not in allows[rule.level]:
                out.append(
                    (
                        (*at, "do"),
                        msg(
                            "action '%(action)s' is not allowed at level '%(level)s' "
                            "(it allows: %(allows)s)",
                            action=kind.value,
                            level=rule.level,
                            allows=", ".join(a.value for a in allows[rule.level]),
                        ),
                    )
                )
            out += _check_action(plan, rule, action, at, carried)
        out += _screens_what_it_locks(rule, here)
    if plant is not None:
        out += check_against_plant(plan, plant)
    out += find_loops(plan, plant, locate)
    return out


CLOSED_STATES = (s.ZoneState.locked, s.ZoneState.disinfecting)


def _screens_what_it_locks(rule: s.Rule, here: Path) -> list[tuple[Path, str]]:
    """A round on site of a zone the same rule locks (or disinfects) finds nobody: the
    zone's workers may not work. It must sample them where they are (``in_place``)."""
    closes = {
        a.zone: j
        for j, a in enumerate(rule.actions)
        if isinstance(a, s.SetZoneState) and a.state in CLOSED_STATES and not a.closed_loop
    }
    return [
        (
            (*here, "actions", j, "in_place"),
            msg(
                "screens zone %(zone)s, which action %(n)s of this rule %(state)s: its workers "
                "may not work, so a round on site finds nobody to sample; add in_place: true "
                "to sample them where they are",
                zone=repr(a.zone),
                n=closes[a.zone],
                state=rule.actions[closes[a.zone]].state.value,
            ),
        )
        for j, a in enumerate(rule.actions)
        if isinstance(a, s.CreateScreeningRounds) and a.zone in closes and not a.in_place
    ]


def _unique(plan: s.PlanFile) -> list[tuple[Path, str]]:
    return duplicate_ids({"levels": plan.levels, "rules": plan.rules})


def _check_action(
    plan: s.PlanFile, rule: s.Rule, action: Any, at: Path, carried: frozenset[s.Carried]
) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []
    has = ", ".join(sorted(c.value for c in carried)) or "nothing"
    for field, token, need in (
        ("zone", s.FIRED_ZONE, s.Carried.zone),
        ("material", s.FIRED_MATERIAL, s.Carried.material),
    ):
        if getattr(action, field, None) == token and need not in carried:
            out.append(
                (
                    (*at, field),
                    f"'{token}' names the {need.value} that fired, but this rule's trigger "
                    f"carries {has}: name a {need.value}",
                )
            )
    for field in ("reason", "message", "text"):
        text = getattr(action, field, None)
        if not isinstance(text, str):
            continue
        for name in s.text_fields(text):
            if name in s.Carried.__members__ and s.Carried(name) not in carried:
                out.append(
                    (
                        (*at, field),
                        f"{{{name}}} is not carried by this rule's trigger (it carries {has})",
                    )
                )
    if isinstance(action, s.Notify):
        for k, role in enumerate(action.roles):
            if role not in s.ROLES:
                out.append(((*at, "roles", k), _unknown("role", role, s.ROLES)))
    if isinstance(action, s.CreateTask) and action.role not in s.ROLES:
        out.append(((*at, "role"), _unknown("role", action.role, s.ROLES)))
    if isinstance(action, s.RaiseLevel):
        levels = [lv.id for lv in plan.levels]
        if action.to not in levels:
            out.append(((*at, "to"), _unknown("level", action.to, levels)))
        elif rule.level in levels and plan.level_rank(action.to) < plan.level_rank(rule.level):
            out.append(
                (
                    (*at, "to"),
                    msg(
                        "level '%(to)s' is below this rule's level '%(level)s' "
                        "(levels, lowest first: %(levels)s)",
                        to=action.to,
                        level=rule.level,
                        levels=", ".join(levels),
                    ),
                )
            )
    return out


def check_against_plant(plan: s.PlanFile, plant: PlantFile) -> list[tuple[Path, str]]:
    """Every zone, shift, material, supplier, lane and region the plan names."""
    out: list[tuple[Path, str]] = []
    if plan.enterprise != plant.enterprise.id:
        out.append(
            (
                ("enterprise",),
                msg(
                    "the plan is for '%(plan)s' but the plant is '%(plant)s'",
                    plan=plan.enterprise,
                    plant=plant.enterprise.id,
                ),
            )
        )
    zones = [z.id for z in plant.zones]
    shifts = [x.id for x in plant.shifts]
    materials = {m.id: m for m in plant.materials}
    suppliers = {x.id: x.region_code for x in plant.suppliers}
    lanes = {ln.id: ln.from_region for ln in plant.lanes}
    regions = sorted(set(suppliers.values()) | set(lanes.values()))
    primary = {
        o.supplier
        for m in plant.materials
        for o in sorted(m.supply_options, key=lambda o: o.priority)[:1]
    }

    def zone(path: Path, z: str) -> None:
        if z not in (s.ANY, s.FIRED_ZONE) and z not in zones:
            out.append((path, _unknown("zone", z, zones)))

    def material(path: Path, m: str) -> bool:
        if m in (s.ANY, s.FIRED_MATERIAL):
            return False
        if m not in materials:
            out.append((path, _unknown("material", m, materials)))
            return False
        return True

    for i, rule in enumerate(plan.rules):
        for path, leaf in walk_leaves(rule.when, ("rules", i, "when")):
            if isinstance(leaf, s.PositiveInZone | s.PositivesWithin | s.FeverInZone):
                zone((*path, "zone"), leaf.zone)
            elif isinstance(leaf, s.DaysOfCoverBelow):
                material((*path, "material"), leaf.material)
                kind = leaf.material_kind
                if kind is not None and not any(m.kind == kind for m in plant.materials):
                    out.append(
                        ((*path, "material_kind"), f"the plant has no {kind.value} material")
                    )
            elif isinstance(leaf, s.RegionLocked):
                if leaf.region != s.ANY and leaf.region not in regions:
                    out.append(
                        (
                            (*path, "region"),
                            f"no supplier or lane is in region {leaf.region!r} {_known(regions)}",
                        )
                    )
                if leaf.supplier is not None:
                    if leaf.supplier not in suppliers:
                        out.append(
                            (
                                (*path, "supplier"),
                                _unknown("supplier", leaf.supplier, suppliers),
                            )
                        )
                    elif leaf.supplier not in primary:
                        out.append(
                            (
                                (*path, "supplier"),
                                f"supplier '{leaf.supplier}' is no material's primary supplier: "
                                "the trigger would never fire",
                            )
                        )
                if leaf.lane is not None and leaf.lane not in lanes:
                    out.append(((*path, "lane"), _unknown("lane", leaf.lane, lanes)))
        for j, action in enumerate(rule.actions):
            at: Path = ("rules", i, "actions", j)
            if isinstance(action, s.SetZoneState | s.QuarantineContacts | s.CreateScreeningRounds):
                zone((*at, "zone"), action.zone)
            if isinstance(action, s.CreateScreeningRounds):
                for k, shift in enumerate(action.shifts):
                    if shift not in shifts:
                        out.append(((*at, "shifts", k), _unknown("shift", shift, shifts)))
            if isinstance(action, s.SwitchToBackupSupplier) and material(
                (*at, "material"), action.material
            ):
                options = materials[action.material].supply_options
                if len(options) < 2:
                    out.append(
                        (
                            (*at, "material"),
                            msg(
                                "material '%(material)s' has no backup supply option",
                                material=action.material,
                            ),
                        )
                    )
            if (
                isinstance(action, s.RaiseReorder)
                and material((*at, "material"), action.material)
                and not materials[action.material].supply_options
            ):
                out.append(
                    (
                        (*at, "material"),
                        msg(
                            "material '%(material)s' has no supply option", material=action.material
                        ),
                    )
                )
    return out


# -- loops ----------------------------------------------------------------------------------


def _leaf_materials(leaf: s.DaysOfCoverBelow, plant: PlantFile) -> set[str]:
    if leaf.material != s.ANY:
        return {leaf.material}
    return {m.id for m in plant.materials if leaf.material_kind in (None, m.kind)}


def _effect_materials(kind: s.ActionKind, plant: PlantFile) -> set[str] | None:
    """Materials whose days of cover an action can lower (None: any)."""
    if kind == s.ActionKind.create_screening_rounds:
        return {m.id for m in plant.materials if m.consumption_per_test > 0}
    if kind == s.ActionKind.replan:
        return {m for p in plant.products for m in p.bom}
    return None


def _can_trigger(action: Any, leaf: Any, plant: PlantFile | None) -> bool:
    kind = s.ActionKind(action.do)
    effects = s.ACTION_EFFECTS.get(kind)
    if effects is None or s.TriggerKind(leaf.kind) not in effects[0]:
        return False
    if plant is not None and isinstance(leaf, s.DaysOfCoverBelow):
        touched = _effect_materials(kind, plant)
        if touched is not None and not touched & _leaf_materials(leaf, plant):
            return False
    return True


def rule_graph(
    plan: s.PlanFile, plant: PlantFile | None = None
) -> dict[int, list[tuple[int, int, Path]]]:
    """Rule → [(next rule, action index, leaf path)]: an action that can make a leaf hold."""
    graph: dict[int, list[tuple[int, int, Path]]] = {i: [] for i in range(len(plan.rules))}
    leaves = [list(walk_leaves(r.when, ("rules", i, "when"))) for i, r in enumerate(plan.rules)]
    for a, rule in enumerate(plan.rules):
        for j, action in enumerate(rule.actions):
            for b in range(len(plan.rules)):
                for path, leaf in leaves[b]:
                    if _can_trigger(action, leaf, plant):
                        graph[a].append((b, j, path))
                        break
    return graph


def find_loops(
    plan: s.PlanFile, plant: PlantFile | None = None, locate: Locator | None = None
) -> list[tuple[Path, str]]:
    """Each loop of rules once (the shortest through its first rule), at its first action."""
    graph = rule_graph(plan, plant)
    seen: set[frozenset[int]] = set()
    out: list[tuple[Path, str]] = []
    for start in graph:
        cycle = _shortest_cycle(graph, start)
        if cycle is None or frozenset(b for b, _, _ in cycle) in seen:
            continue
        seen.add(frozenset(b for b, _, _ in cycle))
        steps = []
        here = start

        def rule_at(n: int) -> str:
            where = f" ({locate(('rules', n))})" if locate else ""
            return f"rule '{plan.rules[n].id}'{where}"

        for nxt, j, leaf_path in cycle:
            action = plan.rules[here].actions[j]
            leaf = _value_of(plan, leaf_path)
            why = s.ACTION_EFFECTS[s.ActionKind(action.do)][1]
            steps.append(
                f"{rule_at(here)} {action.do} ({why}) can make {leaf.kind} of {rule_at(nxt)} hold"
            )
            here = nxt
        first_action = cycle[0][1]
        kind = "can trigger itself" if len(cycle) == 1 else "loop"
        out.append(
            (
                ("rules", start, "actions", first_action, "do"),
                f"rules {kind}: " + "; ".join(steps),
            )
        )
    return out


def _value_of(plan: s.PlanFile, path: Path) -> Any:
    here: Any = plan
    for part in path:
        here = here[part] if isinstance(part, int) else getattr(here, str(part))
    return here


def _shortest_cycle(
    graph: dict[int, list[tuple[int, int, Path]]], start: int
) -> list[tuple[int, int, Path]] | None:
    """Breadth first from ``start`` back to it: the edges of the shortest loop."""
    came: dict[int, tuple[int, tuple[int, int, Path]]] = {}
    queue = deque([start])
    visited = {start}
    while queue:
        node = queue.popleft()
        for edge in graph[node]:
            nxt = edge[0]
            if nxt == start:
                path = [edge]
                while node != start:
                    prev, e = came[node]
                    path.append(e)
                    node = prev
                return path[::-1]
            if nxt not in visited:
                visited.add(nxt)
                came[nxt] = (node, edge)
                queue.append(nxt)
    return None
