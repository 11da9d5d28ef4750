"""The ``keepline`` command: one sub-app per capability, each defined in its package."""

from __future__ import annotations

import inspect
import re
import sys

import click
import typer
import typer.core

from keepline import __version__, db_cli, plan_cli, server_cli
from keepline.assessment import cli as assessment_cli
from keepline.audit import cli as audit_cli
from keepline.containment import cli as containment_cli
from keepline.continuity import cli as continuity_cli
from keepline.difficulties import cli as difficulties_cli
from keepline.errors import KeeplineError, clip
from keepline.government import cli as government_cli
from keepline.logistics import cli as logistics_cli
from keepline.materials import cli as materials_cli
from keepline.outbreak import cli as outbreak_cli
from keepline.people import cli as people_cli
from keepline.plans import cli as plans_cli
from keepline.plans import drill_cli as plans_drill_cli
from keepline.plant import cli as plant_cli
from keepline.production import cli as production_cli
from keepline.retention import cli as retention_cli
from keepline.screening import cli as screening_cli

app = typer.Typer(
    name="keepline",
    help="Keep a plant producing, safely, through an epidemic.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_state = {"debug": False}
_option_type = typer.core.TyperOption.display_type_rich


def _flag_without_type(self: typer.core.TyperOption, ctx: click.Context) -> str | None:
    """A flag takes no value, so its help line shows none (typer labels it ``<bool>``)."""
    return None if self.is_flag else _option_type(self, ctx)


typer.core.TyperOption.display_type_rich = _flag_without_type  # type: ignore[method-assign]
# Recent typer vendors its own click, whose usage errors are not click's classes: both
# are usage errors (a missing option, a bad value), shown with the usage and exit 2.
CLICK_ERRORS = (
    click.ClickException,
    *(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"),
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"keepline {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show the full traceback on errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """keepline: plant model, outbreak and screening simulation, continuity planning,
    the daily record, emergency plans and the government's view."""
    _state["debug"] = debug


def _register() -> None:
    # Each package owns its commands; the root command mounts them all.
    app.add_typer(plant_cli.app, name="plant")
    app.add_typer(db_cli.app, name="db")
    app.add_typer(outbreak_cli.app, name="outbreak")
    app.command("serve")(server_cli.serve)
    app.add_typer(server_cli.user_app, name="user")
    app.add_typer(people_cli.app, name="people")
    app.command("audit")(audit_cli.audit_cmd)
    app.add_typer(materials_cli.app, name="stock")
    app.add_typer(logistics_cli.app, name="logistics")
    app.add_typer(production_cli.app, name="production")
    app.add_typer(screening_cli.app, name="screening")
    app.add_typer(containment_cli.app, name="containment")
    app.command("availability")(containment_cli.availability_cmd)
    app.command("plan")(plan_cli.plan_command)
    app.command("exposure")(continuity_cli.exposure_command)
    app.command("assess")(assessment_cli.assess_cmd)
    app.add_typer(government_cli.app, name="gov")
    app.add_typer(retention_cli.app, name="retention")
    app.add_typer(plans_cli.app, name="plans")
    app.add_typer(difficulties_cli.app, name="difficulties")
    plans_cli.app.command("drill")(plans_drill_cli.drill_command)  # keepline plans drill


def _one_line_paragraphs(text: str) -> str:
    # typer keeps a docstring's line breaks in the list of commands, so a summary wrapped
    # in the source showed broken mid-sentence; joined, the terminal wraps it instead.
    return re.sub(r"(?<!\n)\n(?!\n)", " ", inspect.cleandoc(text))


def _unwrap_help(typer_app: typer.Typer) -> None:
    """Join the wrapped lines of every command's and group's help, recursively."""
    for command in typer_app.registered_commands:
        if command.help:
            command.help = _one_line_paragraphs(command.help)
        elif command.callback is not None and command.callback.__doc__:
            command.callback.__doc__ = _one_line_paragraphs(command.callback.__doc__)
    root = typer_app.registered_callback
    if root is not None and root.callback is not None and root.callback.__doc__:
        root.callback.__doc__ = _one_line_paragraphs(root.callback.__doc__)
    for group in typer_app.registered_groups:
        sub = group.typer_instance
        if sub is not None:
            if isinstance(sub.info.help, str):
                sub.info.help = _one_line_paragraphs(sub.info.help)
            _unwrap_help(sub)


_register()
_unwrap_help(app)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; a user error prints one line and exits non-zero, never a traceback."""
    try:
        rc = app(args=argv, standalone_mode=False, prog_name="keepline")
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except KeeplineError as exc:
        if _state["debug"]:
            raise
        for line in str(exc).splitlines() or [""]:  # every problem, one line each
            typer.echo(f"error: {line}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click usage errors and the unexpected
        if isinstance(exc, CLICK_ERRORS):
            exc.show()
            sys.exit(exc.exit_code)
        if _state["debug"]:
            raise
        # One line: a database error's text carries the SQL and every parameter.
        first = clip((str(exc).splitlines() or [""])[0], 200)
        typer.echo(f"error: {type(exc).__name__}: {first} (run with --debug for details)", err=True)
        sys.exit(1)
