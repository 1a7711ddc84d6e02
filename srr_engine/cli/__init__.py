"""The `srr` command line. Commands for people never start Prefect; heavy imports wait until needed."""

from __future__ import annotations

import gc
import sys

import typer

from srr_engine.cli import audit, checkins, contracts, interop, operations, realisations
from srr_engine.cli.output import fail

app = typer.Typer(
    name="srr",
    help=(
        "srr-engine: social return in inkoop, van aanbesteding tot evaluatie. "
        "Social return in public procurement, from tender to evaluation.\n\n"
        "Begin / start: `srr init`, then `srr contracts add contracts.yaml`."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
operations.register(app)
app.add_typer(contracts.app, name="contracts")
app.add_typer(realisations.app, name="realisations")
app.add_typer(checkins.checkins_app, name="checkins")
app.add_typer(checkins.nudges_app, name="nudges")
interop.register(app)
app.command("audit")(audit.audit)
app.add_typer(audit.privacy_app, name="privacy")


_commands_from: set[str] = set()


def _plugin_commands() -> None:
    """Let plugins add their commands; one that fails is reported and the CLI still works."""
    from srr_engine.plugins import get_plugins

    for impl in get_plugins().manager.hook.register_commands.get_hookimpls():
        if impl.plugin_name in _commands_from:
            continue
        _commands_from.add(impl.plugin_name)
        try:
            impl.function(cli=app)
        except Exception as exc:
            typer.echo(f"Plugin {impl.plugin_name}: commando's niet geladen / commands not loaded: {exc}", err=True)


def _emit_events() -> None:
    """Events committed by the command go to Prefect right away when a server is configured
    (`PREFECT_API_URL`); otherwise the next flow run or `srr events relay` emits them."""
    import os

    if os.environ.get("PREFECT_API_URL"):
        from srr_engine.emission import relay_quietly

        relay_quietly()


def main() -> None:
    """Entry point of the `srr` script: turns user errors into a clear message and exit code 2."""
    from srr_engine.errors import UserError

    _plugin_commands()
    try:
        # Without standalone mode click returns (not raises) the exit code of typer.Exit.
        code = app(standalone_mode=False) or 0
        if code == 0:
            _emit_events()
        gc.freeze()  # nothing left to collect: skip walking every object at exit (~0.1 s)
        sys.exit(code)
    except UserError as exc:
        fail(exc)
    except typer.Abort:
        sys.exit(1)
    except typer.TyperException as exc:  # usage errors and bad parameters (typer's own click)
        show = getattr(exc, "show", None)
        if show is None:
            raise
        show()
        sys.exit(getattr(exc, "exit_code", 2))
