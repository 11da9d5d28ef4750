"""The command line as a new user meets it (issue 14, items 10-15): dates, the README's
lines without a terminal, full-width output and a quiet solver, progress in a log,
grammar and help text, and who the audit log says did it."""

from __future__ import annotations

import datetime as dt
import getpass
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer.main
from pydantic import ValidationError
from rich.console import Console
from typer.testing import CliRunner

from keepline import clikit
from keepline.cli import app
from keepline.clock import FROM_FILE, parse_date
from keepline.health.schemas import DeclarationIn
from keepline.plant.files import read_plant
from keepline.words import a, plural
from tests.conftest import ROOT, ZHENGZHOU

ENT = "zhengzhou-meters"
KEEPLINE = Path(sys.executable).with_name("keepline")
OS_USER = f"os:{getpass.getuser()}"


# -- 10. dates: one parser, one message, exit 2 ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-01",
        "2026/12/01",
        "2026/12/1",
        "20261201",
        "2026.12.01",
        "2026年12月1日",
        " 2026-12-01",
    ],
)
def test_every_year_first_form_is_the_same_day(text: str) -> None:
    assert parse_date(text) == dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    "text", ["01/12/2026", "12/01/2026", "2026-02-30", "2026/12-01", "tomorrow"]
)
def test_ambiguous_or_impossible_dates_are_refused_with_one_message(text: str) -> None:
    with pytest.raises(ValueError) as exc:
        parse_date(text)
    assert str(exc.value) == f"{text!r} is not a date; use YYYY-MM-DD"


def test_date_options_share_the_parser_and_the_message(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli(["plant", "load", str(ZHENGZHOU)]).code == 0
    r = cli(f"stock receive {ENT} brass-body 5 --unit pcs --day 2026/12/01")
    assert r.code == 0, r
    assert "on 2026-12-01" in r.out
    r = cli(f"stock receive {ENT} brass-body 5 --unit pcs --day 2026/13/01")
    assert r.code == 2
    assert r.err == "error: --day: '2026/13/01' is not a date; use YYYY-MM-DD\n"
    r = cli(f"availability {ENT} --from 01/12/2026 --to 2026-12-02")
    assert r.code == 2
    assert r.err == "error: --from: '01/12/2026' is not a date; use YYYY-MM-DD\n"
    r = cli(f"logistics pass {ENT} TP-1 X --from 20261201 --until 2026年12月1日")
    assert r.code == 0, r
    # a usage error from click itself (a missing option) exits 2 as well, not 1
    assert cli(f"stock receive {ENT} brass-body 5").code == 2


def test_plant_file_dates_take_the_same_forms(tmp_path: Path) -> None:
    text = ZHENGZHOU.read_text(encoding="utf-8")
    good = tmp_path / "good.yaml"
    # YAML reads 20261225 as a number: still the 25th of December, not seconds since 1970
    good.write_text(
        text.replace("due: 2026-12-31", "due: 2026/12/31").replace(
            "due: 2026-12-25", "due: 20261225"
        ),
        encoding="utf-8",
    )
    dues = {o.id: o.due for o in read_plant(good).orders}
    assert dues["ZZ-W-101"] == dt.date(2026, 12, 31)
    assert dues["ZZ-G-102"] == dt.date(2026, 12, 25)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("due: 2026-12-31", "due: 31/12/2026"), encoding="utf-8")
    with pytest.raises(Exception) as exc:
        read_plant(bad)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "due: 2026-12-31" in t)
    assert (
        str(exc.value) == f"{bad}:{line} orders[0].due: '31/12/2026' is not a date; use YYYY-MM-DD"
    )


def test_file_fields_are_lenient_and_the_api_stays_iso() -> None:
    body = {"employee_no": "E1", "day": "2026/12/01", "temperature_c": 36.5}
    assert DeclarationIn.model_validate(body, context=FROM_FILE).day == dt.date(2026, 12, 1)
    with pytest.raises(ValidationError):
        DeclarationIn.model_validate(body)  # an API body: ISO only
    bad = dict(body, day="01/12/2026")
    with pytest.raises(ValidationError) as exc:
        DeclarationIn.model_validate(bad, context=FROM_FILE)
    assert exc.value.errors()[0]["msg"] == "'01/12/2026' is not a date; use YYYY-MM-DD"


# -- 11. the README's lines, without a terminal -------------------------------------------


def _readme_lines(*starts: str) -> list[str]:
    block = (ROOT / "README.md").read_text(encoding="utf-8").split("## A short tour")[1]
    lines = [ln for ln in block.split("```")[1].splitlines() if ln.strip()]
    picked = [ln for ln in lines if ln.startswith(starts)]
    assert len(picked) >= len(starts), picked
    return picked


def _run(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # stdin from /dev/null: no terminal, as in a script, CI or `ssh host cmd`
    return subprocess.run(
        ["bash", "-c", f"set -eo pipefail\n{script}"],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_readme_daily_record_lines_run_as_written_without_a_terminal(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEEPLINE_")}
    env |= {"KEEPLINE_HOME": str(tmp_path / "home"), "PATH": f"{KEEPLINE.parent}:{env['PATH']}"}
    lines = _readme_lines(
        "keepline plant load",
        "echo ",
        "export KEEPLINE_USER",
        "keepline people generate",
        "keepline audit",
    )
    assert any("user add" in ln and "--password-stdin" in ln for ln in lines)
    r = _run("\n".join(lines) + "\nkeepline audit --json --limit 1", tmp_path, env)
    assert r.returncode == 0, r.stderr
    last = json.loads(r.stdout.strip().splitlines()[-1])
    assert last["actor"] == f"user:admin@example.cn via {OS_USER}"
    assert last["table"] == "workers"
    # without --password-stdin and without a terminal: a clear error, not an abort
    r = _run("keepline user add b@example.cn --enterprise xuzhou-qpcr --role viewer", tmp_path, env)
    assert r.returncode == 2
    assert r.stderr.startswith("error: password: no terminal to ask it on; ")
    assert "--password-stdin" in r.stderr


# -- 12. full width in a pipe, nothing from the solver on stdout --------------------------


def test_plan_in_a_pipe_is_full_width_and_without_the_solver_banner(tmp_path: Path) -> None:
    env = dict(os.environ, KEEPLINE_HOME=str(tmp_path / "home"))
    env.pop("COLUMNS", None)
    r = subprocess.run(
        [str(KEEPLINE), "plan", str(ZHENGZHOU), "--horizon", "120"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert "HiGHS" not in r.stdout and "Copyright" not in r.stdout
    assert r.stdout.lstrip().startswith("zhengzhou-meters: orders over 120 days")
    assert "…" not in r.stdout  # no cell cut short
    row = next(ln for ln in r.stdout.splitlines() if "ZZ-W-101" in ln)
    assert "livelihood" in row and "water-meter-nb" in row and "2026-12-31" in row
    assert max(len(ln) for ln in r.stdout.splitlines()) > 80


def test_consoles_are_full_width_off_a_terminal() -> None:
    buf = io.StringIO()
    console = clikit.FullWidthConsole(file=buf)
    assert not console.is_terminal and console.width == clikit.WIDE
    console.print("x" * 200)
    assert buf.getvalue() == "x" * 200 + "\n"


# -- 13. progress that reads well in a log -------------------------------------------------


def test_progress_in_a_log_is_periodic_plain_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(clikit.time, "monotonic", lambda: now[0])
    buf = io.StringIO()
    with clikit.progress(Console(file=buf, width=200), every_s=10) as step:
        step("cells", 0, 4)  # the start: shown
        now[0] = 103.0
        step("cells", 1, 4)  # 3 s later: not shown
        now[0] = 112.0
        step("cells", 1, 4)  # 12 s after the last line: shown
        now[0] = 113.0
        step("cells", 2, 4)  # the end: shown
    assert buf.getvalue().splitlines() == [
        "cells: 0/4 (0%), 0 s",
        "cells: 2/4 (50%), 12 s",
        "cells: 4/4 (100%), 13 s",
    ]


def test_outbreak_run_reports_its_replicates_on_stderr(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli(
        f"outbreak run {ZHENGZHOU} --policy {ROOT}/examples/policies/weekly-pcr-10.yaml "
        "--replicates 3 --days 20"
    )
    assert r.code == 0, r
    assert "weekly 10-in-1 PCR: replicates: 3/3 (100%)" in r.err


# -- 14. grammar and help text -------------------------------------------------------------


def test_plural_and_article() -> None:
    assert [plural(1, "enterprise"), plural(2, "enterprise")] == ["1 enterprise", "2 enterprises"]
    assert [plural(1, "policy"), plural(0, "policy")] == ["1 policy", "0 policies"]
    assert plural(2, "person", "people") == "2 people" and plural(1_204, "worker") == "1204 workers"
    assert [a("issue"), a("receipt"), a("adjustment"), a("unit")] == [
        "an issue",
        "a receipt",
        "an adjustment",
        "a unit",
    ]


def test_plant_load_counts_in_the_right_number(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli(["plant", "load", str(ZHENGZHOU)])
    assert r.out.strip() == (
        "zhengzhou-meters: created; added 1 enterprise, 9 zones, 2 shifts, 22 teams, "
        "3 products, 4 lines, 8 line crew, 4 line rates, 14 materials, 19 bom items, "
        "16 suppliers, 20 supply options, 13 lanes, 8 recovery times, 8 orders"
    )


def _commands(cmd: click.Command, path: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    yield path, cmd
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _commands(sub, (*path, name))


# "a" before a vowel, "an" before a consonant; words said otherwise ("a unit") left out
WRONG_ARTICLE = re.compile(
    r"\b[Aa] (?!uni|use|usu|one|eu|UTF|URL)[aeiouAEIOU]\w*|\b[Aa]n (?!h)[b-df-hj-np-tv-z]\w*"
)


def test_every_help_text_reads_right() -> None:
    root = typer.main.get_command(app)
    runner = CliRunner()
    seen = 0
    for path, cmd in _commands(root):
        texts = [cmd.help or "", *(getattr(p, "help", None) or "" for p in cmd.params)]
        for text in texts:
            assert not WRONG_ARTICLE.search(text), (path, text)
        # the summary in a list of commands is one line, wrapped by the terminal only
        summary = (cmd.help or "").split("\n\n")[0]
        assert "\n" not in summary, (path, summary)
        r = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert r.exit_code == 0, (path, r.output)
        assert "<bool>" not in r.output, path
        assert not WRONG_ARTICLE.search(r.output), (path, WRONG_ARTICLE.search(r.output))
        seen += 1
    assert seen > 60  # every command and group, not just the root
    r = runner.invoke(app, ["stock", "--help"], env={"COLUMNS": "200"})
    assert "Record an issue (refused" in r.output and "Record a receipt (refused" in r.output


# -- 15. who did it: the operating-system user, and the keepline user -----------------------


def _last_actor(cli) -> str:  # type: ignore[no-untyped-def]
    r = cli("audit --json --limit 1")
    return json.loads(r.out.strip().splitlines()[-1])["actor"]


def test_cli_writes_are_audited_as_the_os_user_and_the_keepline_user(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    assert cli(["plant", "load", str(ZHENGZHOU)]).code == 0
    assert _last_actor(cli) == OS_USER
    assert cli(f"stock receive {ENT} brass-body 5 --unit pcs --day 2026-12-01").code == 0
    assert _last_actor(cli) == OS_USER
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-password\n"))
    r = cli(f"user add planner@example.cn --enterprise {ENT} --role planner --password-stdin")
    assert r.code == 0, r
    assert _last_actor(cli) == OS_USER
    r = cli(f"stock receive {ENT} brass-body 5 --unit pcs --user Planner@example.cn")
    assert r.code == 0, r
    assert _last_actor(cli) == f"user:planner@example.cn via {OS_USER}"
    monkeypatch.setenv("KEEPLINE_USER", "planner@example.cn")
    assert cli(f"stock receive {ENT} brass-body 5 --unit pcs").code == 0
    assert _last_actor(cli) == f"user:planner@example.cn via {OS_USER}"
    # a name that is no account is refused, and nothing is written
    r = cli(f"stock receive {ENT} brass-body 5 --unit pcs --user nobody@example.cn")
    assert r.code == 2
    assert r.err == (
        "error: --user: no active keepline user 'nobody@example.cn' (see `keepline user list`)\n"
    )
    assert _last_actor(cli) == f"user:planner@example.cn via {OS_USER}"
