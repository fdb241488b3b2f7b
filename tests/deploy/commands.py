"""Resolve `hopsync ...` command lines against the real click group of the CLI."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import click

from producers.cli import main

CommandPath = tuple[str, ...]


@dataclass(frozen=True)
class CommandLine:
    """A command line split into the subcommand it names and the arguments given to it."""

    path: CommandPath
    command: click.Command
    arguments: tuple[str, ...]

    def usage_error(self) -> str | None:
        """Click's message when the arguments do not parse for this command, else None."""
        name = " ".join(("hopsync", *self.path))
        try:
            with self.command.make_context(name, list(self.arguments)):
                return None
        except click.ClickException as error:
            return error.format_message()

    def option_names(self) -> set[str]:
        """Every option flag the command accepts."""
        names: set[str] = set()
        for param in self.command.params:
            if isinstance(param, click.Option):
                names.update(param.opts, param.secondary_opts)
        return names


def resolve(arguments: Sequence[str]) -> CommandLine:
    """Descend the click group along the leading subcommand names of ``arguments``."""
    command: click.Command = main
    rest = list(arguments)
    path: list[str] = []
    while isinstance(command, click.Group) and rest and rest[0] in command.commands:
        name = rest.pop(0)
        command = command.commands[name]
        path.append(name)
    return CommandLine(tuple(path), command, tuple(rest))


def without_options(arguments: Sequence[str], options: set[str]) -> tuple[str, ...]:
    """The arguments less each named option and the value that follows it."""
    kept: list[str] = []
    skip_value = False
    for argument in arguments:
        if skip_value:
            skip_value = False
            continue
        if argument in options:
            skip_value = True
            continue
        kept.append(argument)
    return tuple(kept)


def mentioned_command_paths(text: str) -> set[CommandPath]:
    """The subcommands a document names as `hopsync ...`, with `a|b` alternatives expanded."""
    found: set[CommandPath] = set()
    for match in re.finditer(r"\bhopsync((?:[ \t]+[A-Za-z0-9_|\\-]+)+)", text):
        found.update(_expand(match.group(1).split()))
    return found


def _expand(words: list[str]) -> set[CommandPath]:
    frontier: list[tuple[click.Command, CommandPath]] = [(main, ())]
    for word in words:
        alternatives = word.replace("\\", "").split("|")
        advanced = [
            (group.commands[name], (*path, name))
            for group, path in frontier
            if isinstance(group, click.Group) and all(a in group.commands for a in alternatives)
            for name in alternatives
        ]
        if not advanced:
            break
        frontier = advanced
    return {path for _, path in frontier if path}
