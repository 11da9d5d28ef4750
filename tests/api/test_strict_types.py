"""15.6: no silent coercion at the API boundary (a number is not a day, false is not a
number, 5e-324 is not a quantity), and the OpenAPI lists the error answers."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import TypeAdapter, ValidationError

from keepline.fields import Day, Number, Quantity
from tests.worlds import World


def _material(world: World) -> dict[str, object]:
    return world.get("/materials", params={"limit": 1}).json()["items"][0]


def test_a_number_is_not_a_day(world: World) -> None:
    r = world.get("/materials", params={"as_of": "0"})
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "as_of: expected a day as YYYY-MM-DD"
    assert world.get("/materials", params={"as_of": "2026-12-01"}).status_code == 200
    r = world.post(
        "/declarations",
        json={"employee_no": "XQ00001", "day": 0, "temperature_c": 36.5},
    )
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "day"


def test_false_is_not_a_number(world: World) -> None:
    body = {"effective_from": str(world.today), "rounds_per_week": False}
    r = world.post("/prevention-policies", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["message"] == "rounds_per_week: expected a number, not true/false"
    body["rounds_per_week"] = 0
    assert world.post("/prevention-policies", json=body).status_code == 201


def test_a_denormal_is_not_a_quantity(world: World) -> None:
    m = _material(world)
    body = {
        "material_id": m["id"],
        "kind": "receipt",
        "day": str(world.today),
        "qty": 5e-324,
        "unit": m["unit"],
    }
    r = world.post("/stock/movements", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["message"] == "qty: a quantity is 0 or at least 0.001"
    body["qty"] = 0.001
    assert world.post("/stock/movements", json=body).status_code == 201


@pytest.mark.parametrize(
    ("kind", "value", "ok"),
    [
        (Day, "2026-12-01", dt.date(2026, 12, 1)),
        (Day, dt.date(2026, 12, 1), dt.date(2026, 12, 1)),
        (Day, 0, None),
        (Day, "0", None),
        (Day, "1700000000", None),
        (Day, dt.datetime(2026, 12, 1, 8), None),
        (Number, 36.6, 36.6),
        (Number, "36.6", 36.6),  # a file's cell
        (Number, False, None),
        (Number, float("nan"), None),
        (Quantity, 0, 0.0),
        (Quantity, -0.5, -0.5),  # an adjustment is signed
        (Quantity, 5e-324, None),
        (Quantity, 0.0009, None),
    ],
)
def test_field_types(kind: object, value: object, ok: object) -> None:
    adapter = TypeAdapter(kind)
    if ok is None:
        with pytest.raises(ValidationError):
            adapter.validate_python(value)
    else:
        assert adapter.validate_python(value) == ok


def test_openapi_lists_the_error_answers(world: World) -> None:
    spec = world.client.get("/openapi.json").json()
    ops = 0
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            answers = set(op["responses"])
            assert {"400", "422"} <= answers, (method, path)
            if path not in ("/auth/login", "/health"):
                assert {"401", "403"} <= answers, (method, path)
            if "{" in path:
                assert "404" in answers, (method, path)
            ops += 1
    assert ops >= 100
    assert world.client.get("/workers").status_code == 401
    r = world.get("/workers/NOBODY")
    assert r.status_code == 404 and set(r.json()["error"]) == {"code", "message", "field"}
