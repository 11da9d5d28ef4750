"""14.2: an unknown query parameter is a 422 naming it on every route (walked from the
OpenAPI), and the declarations routes take ``day`` as the declaration body does."""

from __future__ import annotations

import re

from tests.worlds import World


def _example_path(path: str) -> str:
    # Any value will do: the query check comes before the route looks anything up.
    return re.sub(r"\{[^}]+\}", "x1", path)


def test_every_get_route_refuses_an_unknown_query_parameter(world: World) -> None:
    spec = world.client.get("/openapi.json").json()
    checked = 0
    for path, ops in spec["paths"].items():
        if "get" not in ops:
            continue
        declared = {p["name"] for p in ops["get"].get("parameters", []) if p["in"] == "query"}
        assert "colour" not in declared
        r = world.get(_example_path(path), params={"colour": "blue"})
        assert r.status_code == 422, (path, r.status_code, r.text[:200])
        err = r.json()["error"]
        assert err["field"] == "colour", (path, err)
        assert err["message"].startswith("'colour': unknown query parameter"), (path, err)
        for name in declared:
            assert name in err["message"], (path, name, err["message"])
        checked += 1
    assert checked >= 55  # 59 GET routes when written


def test_a_known_parameter_still_works_and_date_is_now_day(world: World) -> None:
    r = world.get("/declarations/missing", params={"date": str(world.today)})
    assert r.status_code == 422
    assert r.json()["error"]["message"] == (
        "'date': unknown query parameter (this route takes: day, limit, offset, sort, team, zone)"
    )
    assert world.get("/declarations/missing", params={"day": str(world.today)}).status_code == 200
