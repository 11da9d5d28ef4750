"""Rounding an LP plan to whole units, on a case worked by hand."""

from __future__ import annotations

import numpy as np

from keepline.continuity.check import check_schedule
from keepline.continuity.model import Schedule, arrival_day, arrival_days, build_input, lateness
from keepline.continuity.rounding import _advance_late_units, _arrivals, round_schedule
from keepline.plant.schema import PlantFile

from .continuity_factory import order, tiny_plant


def two_line_plant() -> PlantFile:
    """Widgets on two lines (7.5 a day each), gadgets on a third line listed first (10 a
    day); both take 1 kg of steel each, 20 kg on hand and no supplier. W: 15 widgets due
    day 1; G: 5 gadgets due day 2."""
    d = tiny_plant(
        workers=10,
        crew=1,
        rate=7.5,
        materials=[{"id": "steel", "name": "Steel", "kind": "raw", "unit": "kg", "on_hand": 20}],
        orders=[order("W", 15, 1, "livelihood"), order("G", 5, 2, product="gadget")],
    ).model_dump(mode="json")
    line = d["lines"][0]
    d["lines"] = [
        {**line, "id": "g-line", "rates_units_per_day": {"gadget": 10}},
        {**line, "id": "w-line-1"},
        {**line, "id": "w-line-2"},
    ]
    d["products"].append({"id": "gadget", "name": "Gadget", "bom": {"steel": 1}})
    return PlantFile.model_validate(d)


def test_a_product_on_two_lines_keeps_up_with_the_lp_in_sum():
    inp = build_input(two_line_plant(), horizon=3)
    pair = {
        (inp.line_ids[inp.pair_line[q]], inp.product_ids[inp.pair_product[q]]): q
        for q in range(len(inp.pair_line))
    }
    w1, w2, g = pair["w-line-1", "widget"], pair["w-line-2", "widget"], pair["g-line", "gadget"]
    ow, og = inp.order_ids.index("W"), inp.order_ids.index("G")
    # An optimal LP plan: day 0 makes 7.5 widgets on each widget line (both at full
    # rate), gadgets 0.5 on day 1 and 4.5 on day 2; W and G ship on their due days.
    # The LP's steel: 20 − 15 = 5 kg after day 0, 4.5 after day 1, 0 after day 2.
    lp = Schedule.empty(inp)
    lp.produce[[w1, w2], 0] = 7.5
    lp.produce[g, [1, 2]] = [0.5, 4.5]
    lp.ship[ow, 1] = 15
    lp.ship[og, 2] = 5
    assert check_schedule(inp, lp) == []
    assert lateness(inp, lp.ship).sum() == 0

    rounded, notes = round_schedule(inp, lp)
    # Day 0: each widget line makes floor(7.5) = 7 and has no room for an 8th
    # (8 / 7.5 > 1): 14 widgets, 6 kg left, the two widget pairs 0.5 behind each.
    # Day 1: the lines are free and the widgets lag a whole unit in sum, which the
    # 6 kg hold: the 15th widget is made (5 kg left) and W ships 15 on time. A gadget
    # ahead of the LP's 0.5 would take the steel below the LP's 4.5 kg (5 − 1 = 4), so
    # none is made; day 2 makes floor(5 − 0) = 5 gadgets (0 kg left), G ships on time.
    # (Before, the gadget line, listed first, took that steel on day 1 for a gadget
    # ahead of the LP, and W's 15th widget was made and shipped on day 2, a day late.)
    assert check_schedule(inp, rounded, integral=True) == []
    assert notes == []
    assert rounded.produce[[w1, w2], 0].tolist() == [7, 7]
    assert rounded.produce[[w1, w2], 1].sum() == 1
    assert rounded.ship[ow].tolist() == [0, 15, 0]
    assert rounded.produce[g].tolist() == [0, 0, 5]
    assert rounded.ship[og].tolist() == [0, 0, 5]
    assert lateness(inp, rounded.ship).sum() == 0


def test_late_units_move_on_time_where_room_and_material_allow():
    # One line, 10 widgets a day; steel 1 kg each, none on hand, from one supplier with
    # a 1-day lead time and 20 kg a day. Order A: 10 widgets due day 2.
    steel = {
        "id": "steel",
        "name": "Steel",
        "kind": "raw",
        "unit": "kg",
        "on_hand": 0,
        "supply_options": [
            {
                "supplier": "s",
                "priority": 1,
                "lead_time_days": 1,
                "capacity_per_day": 20,
                "unit_cost": 1,
            }
        ],
    }
    p = tiny_plant(
        materials=[steel],
        suppliers=[{"id": "s", "name": "S", "region_code": "110000"}],
        orders=[order("A", 10, 2)],
    )
    inp = build_input(p, horizon=5)
    # purchases by dispatch day (ordered a lead time before), no transit
    assert arrival_day(inp, 0, 1) == 1 and arrival_day(inp, 0, 3) == 3
    # A whole-unit plan that ships half of A a day late: 5 kg dispatched (and arriving)
    # day 1 make 5 widgets on day 1, shipped day 2; 10 kg dispatched day 3 make 5
    # widgets on day 3, shipped day 3. Lateness 5 unit-days.
    s = Schedule.empty(inp)
    s.buy[0, 1], s.buy[0, 3] = 5, 10
    s.produce[0, 1], s.produce[0, 3] = 5, 5
    s.ship[0, 2], s.ship[0, 3] = 5, 5
    assert check_schedule(inp, s, integral=True) == []
    assert lateness(inp, s.ship).sum() == 5
    arrive = arrival_days(inp)
    _advance_late_units(inp, s, np.array([0]), arrive, _arrivals(inp, s.buy, arrive))
    # Each late widget moves to day 2 (the latest day by the due date with line room),
    # its day-3 twin is dropped, and its steel, short on day 2 (the day-1 arrival is
    # used up), is added to the day-1 purchase (5 + 1 ≤ 20 kg, arrives day 1 ≤ 2).
    # Five times: the day-1 purchase is 10 kg, 5 widgets on day 1 and 5 on day 2, and
    # A ships 10 on day 2. The day-3 purchase stays (the step never cancels a purchase).
    assert s.buy[0].tolist() == [0, 10, 0, 10, 0]
    assert s.produce[0].tolist() == [0, 5, 5, 0, 0]
    assert s.ship[0].tolist() == [0, 0, 10, 0, 0]
    assert lateness(inp, s.ship).sum() == 0
    assert check_schedule(inp, s, integral=True) == []


def test_units_no_order_takes_are_not_made():
    # One line, 10 widgets a day, 100 kg of steel. A: 10 due day 2; B: 3 due day 9,
    # after the 5-day horizon. An LP plan (lateness levels price nothing else) makes 8
    # on day 0 and 8 on day 1, ships A on day 2: 16 made, 10 shipped. The whole-unit
    # plan keeps the 3 for B and drops the other 3, earliest first while finished stock
    # stays ≥ 0: 3 of day 0's 8 (stock after day 0 is 8 − 3 = 5, after day 1 13 − 0,
    # after day 2 3).
    p = tiny_plant(orders=[order("A", 10, 2), order("B", 3, 9)])
    inp = build_input(p, horizon=5)
    lp = Schedule.empty(inp)
    lp.produce[0, [0, 1]] = 8
    lp.ship[inp.order_ids.index("A"), 2] = 10
    assert check_schedule(inp, lp) == []
    rounded, _ = round_schedule(inp, lp)
    assert rounded.produce[0].tolist() == [5, 8, 0, 0, 0]
    assert rounded.ship[inp.order_ids.index("A")].tolist() == [0, 0, 10, 0, 0]
    assert check_schedule(inp, rounded, integral=True) == []
