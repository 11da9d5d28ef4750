"""The daily record from the shell: one-line errors, tables, and `keepline plan --from-db`."""

from __future__ import annotations

from tests.conftest import ZHENGZHOU

ENT = "zhengzhou-meters"


def test_a_day_from_the_shell_then_plan_from_db(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli(["plant", "load", str(ZHENGZHOU)]).code == 0
    r = cli(f"stock receive {ENT} brass-body 5000 --unit pcs --day 2026-12-01")
    assert r.code == 0 and "on hand 65,000 pcs" in r.out
    r = cli(f"stock issue {ENT} mcu-chip 60001 --unit pcs --day 2026-12-01")
    assert r.code != 0
    assert r.err.strip().splitlines() == [
        "error: qty: issue of 60001 pcs would leave mcu-chip at -1 pcs on 2026-12-01"
    ]
    r = cli(f"stock count {ENT} mcu-chip 100 --unit kg --day 2026-12-01")
    assert r.code != 0 and "unit: 'kg' does not match" in r.err
    r = cli(f"production output {ENT} gas-line gas-meter-nb 1500 --day 2026-12-01 --backflush")
    assert r.code == 0, r
    assert cli(f"logistics ship {ENT} DN-1 ZZ-G-102 1500 --planned 2026-12-01").code == 0
    r = cli(f"logistics ship {ENT} DN-2 NOPE 5 --planned 2026-12-01")
    assert r.code != 0 and "order_id: unknown order 'NOPE'" in r.err
    assert cli(f"logistics move {ENT} DN-1 dispatched --day 2026-12-01 --outbound").code == 0
    r = cli(f"logistics pass {ENT} TP-1 豫A·1 --from 2026-12-03 --until 2026-12-01")
    assert r.code != 0 and "valid_until" in r.err
    r = cli(f"logistics status {ENT} region 440300 locked-down --start 2026-12-02")
    assert r.code == 0
    r = cli(f"stock outlook {ENT} --as-of 2026-12-02")
    assert r.code == 0 and "activate xian-semi" in r.out
    r = cli(f"plan --from-db {ENT} --as-of 2026-12-02 --horizon 90")
    assert r.code == 0, r
    assert "activate backup xian-semi for mcu-chip by 2026-12-02" in r.out
    r = cli(f"logistics status {ENT} region 610100 locked-down --start 2026-12-02")
    r = cli(f"plan --from-db {ENT} --as-of 2026-12-02")
    assert r.code == 0, r
    assert "order ZZ-H-103 now at risk" in r.out and "region 610100 down from 2026-12-02" in r.out
    r = cli(f"production compare {ENT} 2")
    assert r.code == 0 and "plan 2 against plan 1:" in r.out
    r = cli("plan")
    assert r.code != 0 and "give a plant file or enterprise id, or --from-db" in r.err
    r = cli(f"plan {ZHENGZHOU} --from-db {ENT}")
    assert r.code != 0 and "--from-db" in r.err
