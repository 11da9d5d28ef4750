"""Convert a Willems (2008) supply chain into a keepline plant.

Source: S. P. Willems, "Data Set — Real-World Multiechelon Supply Chains Used for
Inventory Optimization", Manufacturing & Service Operations Management 10(1):19-23, 2008
(doi 10.1287/msom.1070.0176); 38 chains, read from the CSV rendering described in the
data folder's README.

The chains are multi-echelon; keepline's plant is one plant with lines fed by bought
materials. The mapping:

* **Time unit**: one period (a week by default); the converted plant's "days" are
  periods. Stage times become whole periods, rounded up.
* Each **demand stage** (with ``ext_demand_mean``) orders, every period, its mean demand
  per day × the period (rounded up), priority ``standard``, penalty = its ``cost_rate``.
* Its orders are for the product of a **line**: the manufacturing stage nearest upstream
  of the demand stage (the first by id when several feed it; the demand stage itself when
  it is a manufacturing stage or no manufacturing stage feeds it). Each line makes one
  product, its own output.
* **Leaf stages** (no upstream stage) become materials, each bought from its own
  supplier, with lead time = the stage time rounded up to whole days plus the stage
  times of any folded intermediate stages on the longest path to the line.
* A line's product holds one unit of every leaf it reaches (every arc in the data has
  quantity 1; units are not multiplied along paths).
* Stages **downstream** of the line (transport, distribution, retail) become outbound
  nodes: an order cannot ship while one of them is down; their stage times move the
  order's due date at the plant earlier by the longest such path.
* Stages **between** leaves and a line (intermediate parts or sub-assemblies) are folded
  into the leaves' lead times and are not nodes (``folded`` lists them).

What the data lacks, synthesised (and stated in ``docs/continuity.md``):

* capacity: each line makes at most 1.5 × the mean demand it serves per period; each
  supplier ships at most 1.5 × its material's requirement per period (rounded up);
* stock: each material starts with its requirement per period × (lead time + 1 period),
  rounded up: enough to bridge the first replenishment and one period more; no
  finished-goods stock;
* order quantities are rounded up to whole units;
* geography: every supplier is in one synthetic region (``000001``) with one inbound lane
  of 0 transit days; the plant is one zone, one shift, one operator per line (the
  workforce never binds);
* time to recover: keepline's defaults per node kind (supplier 14, region 21, zone 14,
  line 10, lane 7 days), in periods rounded up.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from keepline.errors import InputError
from keepline.plant.schema import PlantFile

START = dt.date(2026, 1, 5)
SUPPLIER_REGION = "000001"
PLANT_REGION = "000000"
CAPACITY_FACTOR = 1.5


@dataclass
class Stage:
    id: str
    lead_time: float
    cost_rate: float
    demand_mean: float | None
    up: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.id.split("_")[0]


@dataclass
class WillemsChain:
    number: int
    plant: PlantFile
    outbound: dict[str, list[str]]  # outbound node id → order ids through it
    folded: list[str]  # stages folded into lead times
    stages: int
    period_days: int  # real days per plant "day"


def read_stages(path: Path) -> dict[str, Stage]:
    stages: dict[str, Stage] = {}
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError:
        raise InputError([f"{path}: no such file"]) from None
    if not rows or rows[0][:2] != ["stage_id", "lead_time"]:
        raise InputError([f"{path}:1: expected the Willems header 'stage_id,lead_time,…'"])
    for n, row in enumerate(rows[1:], start=2):
        try:
            mean = float(row[5]) if len(row) > 5 and row[5].strip() else None
            st = Stage(row[0].strip(), float(row[1]), float(row[3] or 0), mean)
        except (ValueError, IndexError):
            raise InputError([f"{path}:{n}: cannot read the stage row"]) from None
        st.up = [u.strip() for u in row[8::2] if u.strip()]
        stages[st.id] = st
    for st in stages.values():
        for u in st.up:
            if u not in stages:
                raise InputError([f"{path}: stage {st.id} names unknown upstream stage {u}"])
    return stages


def _slug(stage_id: str) -> str:
    return stage_id.lower()


def convert(path: Path | str, horizon_days: int = 56, period_days: int = 7) -> WillemsChain:
    """Read ``willems_NN.csv`` and build a plant whose time unit is ``period_days``.

    The plant's "days" are periods of ``period_days`` real days (a week by default:
    the daily LP of the largest chain has 2.9 million nonzeros; by weeks it is small
    enough to take every node down in turn). Stage times, capacities, stock, due dates
    and times to recover are all converted to periods, rounding times up.
    """
    path = Path(path)
    stages = read_stages(path)
    number = int("".join(c for c in path.stem if c.isdigit()) or 0)
    demand = sorted(s for s, st in stages.items() if st.demand_mean and st.demand_mean > 0)
    if not demand:
        raise InputError([f"{path}: no stage has external demand"])
    periods = max(1, horizon_days // period_days)

    def lead(s: str) -> int:
        return math.ceil(stages[s].lead_time / period_days - 1e-9)

    line_of: dict[str, str] = {}
    downstream: dict[str, int] = {}
    outbound_of: dict[str, list[str]] = {}
    for d in demand:
        if stages[d].kind == "Manuf" or not stages[d].up:
            line_of[d], downstream[d], outbound_of[d] = d, 0, []
            continue
        # walk upstream through non-manufacturing, non-leaf stages to the nearest Manuf
        best: dict[str, float] = {d: stages[d].lead_time}
        found: list[str] = []
        queue, seen = [d], {d}
        while queue:
            s = queue.pop(0)
            for u in stages[s].up:
                if stages[u].kind == "Manuf":
                    found.append(u)
                    continue
                if not stages[u].up:
                    continue
                best[u] = max(best.get(u, 0.0), best[s] + stages[u].lead_time)
                if u not in seen:
                    seen.add(u)
                    queue.append(u)
        if found:
            line_of[d] = sorted(found)[0]
            downstream[d] = math.ceil(max(best.values()) / period_days - 1e-9)
            outbound_of[d] = sorted(seen)
        else:
            line_of[d], downstream[d], outbound_of[d] = d, 0, []
    lines = sorted(set(line_of.values()))

    # each line's product needs one unit of every leaf it reaches; stages in between are
    # folded into the leaves' lead times (longest path)
    bom: dict[str, dict[str, int]] = {}
    folded: set[str] = set()
    for ln in lines:
        extra: dict[str, int] = {}
        stack = [(u, 0) for u in stages[ln].up]
        while stack:
            s, acc = stack.pop()
            if not stages[s].up:
                extra[s] = max(extra.get(s, 0), acc)
                continue
            folded.add(s)
            stack.extend((u, acc + lead(s)) for u in stages[s].up)
        bom[ln] = extra
    folded -= set(lines)
    line_demand = defaultdict(float)  # units per period
    for d in demand:
        line_demand[line_of[d]] += (stages[d].demand_mean or 0.0) * period_days
    leaves = sorted({leaf for b in bom.values() for leaf in b})
    need = defaultdict(float)  # units per period
    leaf_lead = {leaf: lead(leaf) for leaf in leaves}
    for ln in lines:
        for leaf, extra_periods in bom[ln].items():
            need[leaf] += line_demand[ln]
            leaf_lead[leaf] = max(leaf_lead[leaf], lead(leaf) + extra_periods)

    orders = []
    outbound: dict[str, list[str]] = defaultdict(list)
    for d in demand:
        qty = math.ceil((stages[d].demand_mean or 0.0) * period_days - 1e-9)
        for w in range(periods):
            oid = f"{_slug(d)}-p{w + 1:02d}"
            orders.append(
                {
                    "id": oid,
                    "customer": d,
                    "product": _slug(line_of[d]),
                    "qty": qty,
                    "due": (START + dt.timedelta(days=max(0, w - downstream[d]))).isoformat(),
                    "priority": "standard",
                    "penalty_per_unit_day": stages[d].cost_rate,
                }
            )
            for s in outbound_of[d]:
                outbound[_slug(s)].append(oid)

    def periods_of(days: int) -> int:
        return max(1, math.ceil(days / period_days))

    data = {
        "keepline_plant": 1,
        "enterprise": {
            "id": f"willems-{number:02d}",
            "name": f"Willems (2008) chain {number}",
            "region_code": PLANT_REGION,
            "sector": "Willems (2008) real-world multi-echelon supply chain",
            "jurisdiction": "willems",
        },
        "horizon_start": START.isoformat(),
        "zones": [
            {"id": "plant", "name": "Plant", "kind": "production", "capacity_people": len(lines)}
        ],
        "shifts": [{"id": "day", "start": "08:00", "end": "20:00"}],
        "teams": [
            {
                "id": "operators",
                "zone": "plant",
                "shift": "day",
                "headcount": len(lines),
                "skills": ["operator"],
            }
        ],
        "lines": [
            {
                "id": _slug(ln),
                "zone": "plant",
                "shifts": ["day"],
                "crew_per_shift": {"operator": 1},
                "rates_units_per_day": {_slug(ln): round(CAPACITY_FACTOR * line_demand[ln], 6)},
            }
            for ln in lines
        ],
        "products": [
            {"id": _slug(ln), "name": ln, "bom": {_slug(leaf): 1.0 for leaf in sorted(bom[ln])}}
            for ln in lines
        ],
        "materials": [
            {
                "id": _slug(leaf),
                "name": leaf,
                "kind": "raw",
                "unit": "units",
                "on_hand": math.ceil(need[leaf] * (leaf_lead[leaf] + 1)),
                "supply_options": [
                    {
                        "supplier": _slug(leaf),
                        "priority": 1,
                        "lead_time_days": leaf_lead[leaf],
                        "capacity_per_day": math.ceil(CAPACITY_FACTOR * need[leaf]),
                        "unit_cost": stages[leaf].cost_rate,
                    }
                ],
            }
            for leaf in leaves
        ],
        "suppliers": [
            {"id": _slug(leaf), "name": leaf, "region_code": SUPPLIER_REGION} for leaf in leaves
        ],
        "lanes": [{"id": "inbound", "from_region": SUPPLIER_REGION, "transit_days": 0}],
        "recovery": {
            "defaults_days": {
                "supplier": periods_of(14),
                "region": periods_of(21),
                "zone": periods_of(14),
                "line": periods_of(10),
                "lane": periods_of(7),
            }
        },
        "orders": orders,
    }
    plant = PlantFile.model_validate(data)
    return WillemsChain(number, plant, dict(outbound), sorted(folded), len(stages), period_days)


def chain_path(folder: Path | str, number: int) -> Path:
    return Path(folder) / f"willems_{number:02d}.csv"
