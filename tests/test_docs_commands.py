"""Every `srr ...` command line in the README and docs/ parses against the real CLI: the command exists,
its options exist and its values have the right types. (What they do is tested elsewhere.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def documented_commands() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        for block in re.findall(r"```[a-z]*\n(.*?)```", doc.read_text(encoding="utf-8"), flags=re.S):
            for line in block.splitlines():
                line = line.strip()
                if line.startswith("srr "):
                    found.append((doc.name, re.split(r"\s{2,}#", line)[0].strip()))
                elif " srr " in line and line.startswith(("PREFECT_", "SRR_")):
                    found.append((doc.name, line[line.index("srr "):].split("  #")[0].strip()))
    return found


def test_the_docs_show_commands():
    names = {doc for doc, _ in documented_commands()}
    assert {"README.md", "contract-managers.md", "operations.md"} <= names


@pytest.mark.parametrize(("doc", "line"), documented_commands())
def test_documented_command_parses(doc: str, line: str) -> None:
    from srr_engine.cli import _plugin_commands, app

    _plugin_commands()
    command = typer.main.get_command(app)
    args = shlex.split(line)[1:]
    if "|" in args:  # `srr a | b`: a pipe to another program
        args = args[: args.index("|")]
    context = command.make_context("srr", args)
    # typer vendors click; its Context keeps the subcommand words in `_protected_args`
    while isinstance(command, typer.core.TyperGroup) and (context._protected_args or context.args):
        name, command, rest = command.resolve_command(context, [*context._protected_args, *context.args])
        assert command is not None, f"{doc}: unknown command in `{line}`"
        context = command.make_context(name, rest, parent=context)
