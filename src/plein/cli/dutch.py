"""The command line's own words in Dutch: Click's and Typer's help, usage and error texts.

Click and Typer look their texts up through ``gettext`` (``_`` and ``ngettext`` in each module);
plein has no message catalogue files, so ``install`` points those names at this table instead, and
sets the panel titles Typer computed at import time. Typer's own copy of Click writes its usage
errors without gettext: those are rewritten by pattern and shown as one ``Fout:`` line, like every
other error of plein. A text not in the tables stays as it was.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

TEXTS = {
    "Usage:": "Gebruik:",
    "Options": "Opties",
    "Arguments": "Argumenten",
    "Commands": "Commando's",
    "Positional arguments": "Positionele argumenten",
    "Error": "Fout",
    "Error: {message}": "Fout: {message}",
    "Aborted!": "Afgebroken.",
    "Aborted.": "Afgebroken.",
    "Show this message and exit.": "Toon deze hulp en stop.",
    "Show the version and exit.": "Toon de versie en stop.",
    "Try '{command} {option}' for help.": "Zie '{command} {option}' voor hulp.",
    "Try [blue]'{command_path} {help_option}'[/] for help.": "Zie [blue]'{command_path} {help_option}'[/] voor hulp.",
    "Missing argument": "Argument ontbreekt",
    "Missing option": "Optie ontbreekt",
    "Missing parameter": "Parameter ontbreekt",
    "Missing parameter: {param_name}": "Parameter ontbreekt: {param_name}",
    "Missing {param_type}": "{param_type} ontbreekt",
    "Missing command.": "Geef een commando.",
    "No such command {name!r}.": "Commando {name!r} bestaat niet.",
    "No such option: {name}": "Optie {name} bestaat niet.",
    "No such option {name!r}.": "Optie {name!r} bestaat niet.",
    "Option {name!r} does not take a value.": "Optie {name!r} neemt geen waarde.",
    "Option {name!r} requires an argument.": "Optie {name!r} vraagt een waarde.",
    "Option {name!r} requires {nargs} arguments.": "Optie {name!r} vraagt {nargs} waarden.",
    "Argument {name!r} takes {nargs} values.": "Argument {name!r} neemt {nargs} waarden.",
    "Invalid value for {param_hint}: {message}": "Ongeldige waarde voor {param_hint}: {message}",
    "Invalid value: {message}": "Ongeldige waarde: {message}",
    "{value!r} is not a valid {number_type}.": "{value!r} is geen geldig {number_type}.",
    "integer": "geheel getal",
    "float": "getal",
    "{value!r} is not one of {choices}.": "{value!r} is niet een van {choices}.",
    "{value!r} is not a valid boolean.": "{value!r} is geen ja/nee-waarde.",
    "{value} is not in the range {range}.": "{value} ligt niet in het bereik {range}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} bestaat niet.",
    "{name} {filename!r} is a file.": "{name} {filename!r} is een bestand.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} is een map.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} is niet leesbaar.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} is niet schrijfbaar.",
    "Could not open file {filename!r}: {message}": "Kan bestand {filename!r} niet openen: {message}",
    "file": "bestand",
    "directory": "map",
    "path": "pad",
    "default: {default}": "standaard: {default}",
    "[default: {}]": "[standaard: {}]",
    "env var: {var}": "omgevingsvariabele: {var}",
    "[env var: {}]": "[omgevingsvariabele: {}]",
    "required": "verplicht",
    "[required]": "[verplicht]",
    "(deprecated) ": "(verouderd) ",
    "deprecated": "verouderd",
    "(dynamic)": "(dynamisch)",
    "Got unexpected extra argument ({args})": "Onverwacht extra argument ({args})",
    "Got unexpected extra arguments ({args})": "Onverwachte extra argumenten ({args})",
    "Did you mean {possibility}?": "Bedoelt u {possibility}?",
    "(Possible options: {possibilities})": "(Mogelijke opties: {possibilities})",
}
CLICK_MODULES = (
    "click.core",
    "click.exceptions",
    "click.types",
    "click.decorators",
    "click.formatting",
    "click.parser",
    "click.termui",
    "typer.core",
    "typer.rich_utils",
)
TYPER_CONSTANTS = {
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Aborted.",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
    "DEFAULT_STRING": "[default: {}]",
    "ENVVAR_STRING": "[env var: {}]",
    "REQUIRED_LONG_STRING": "[required]",
    "DEPRECATED_STRING": "(deprecated) ",
}


def dutch(message: str) -> str:
    """The Dutch text for one of Click's or Typer's messages (the message itself when unknown)."""
    return TEXTS.get(message, message)


def dutch_plural(singular: str, plural: str, count: int) -> str:
    return dutch(singular if count == 1 else plural)


def install() -> None:
    """Make Click and Typer speak Dutch in this process."""
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = dutch  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = dutch_plural  # type: ignore[attr-defined]
    rich_utils = importlib.import_module("typer.rich_utils")
    for constant, english in TYPER_CONSTANTS.items():
        setattr(rich_utils, constant, dutch(english))
    _patch_vendored_click()
    rich_utils.rich_format_error = report_usage_error  # type: ignore[attr-defined]
    rich_utils.highlighter.highlights = [  # "Gebruik: " highlighted like "Usage: " was
        h.replace("(?P<usage>Usage: )", "(?P<usage>Gebruik: )") for h in rich_utils.highlighter.highlights
    ]


# Typer's own copy of Click writes these messages without gettext: they are rewritten here, whole.
USAGE_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"^Missing argument (.+?)\.(?: (.*))?$", r"Argument \1 ontbreekt. \2"),
        (r"^Missing option (.+?)\.(?: (.*))?$", r"Optie \1 ontbreekt. \2"),
        (r"^Missing parameter:? (.+?)\.?$", r"Parameter \1 ontbreekt."),
        (r"^No such option: (\S+) \(Possible options: (.+)\)$", r"Optie \1 bestaat niet (mogelijke opties: \2)."),
        (r"^No such option: (\S+) Did you mean (.+)\?$", r"Optie \1 bestaat niet. Bedoelt u \2?"),
        (r"^No such option: (\S+)$", r"Optie \1 bestaat niet."),
        (r"^No such command '(.+)'\.$", r"Commando '\1' bestaat niet."),
        (r"^Option '(.+)' requires an argument\.$", r"Optie '\1' vraagt een waarde."),
        (r"^Option '(.+)' requires (\d+) arguments\.$", r"Optie '\1' vraagt \2 waarden."),
        (r"^Option '(.+)' does not take a value\.$", r"Optie '\1' neemt geen waarde."),
        (r"^Got unexpected extra argument\(s\) \((.*)\)$", r"Onverwachte extra argumenten: \1."),
        (r"^Invalid value for (.+?): (.*)$", r"Ongeldige waarde voor \1: \2"),
        (r"'(.*)' is not one of (.*)\.$", r"'\1' is niet een van \2."),
        (r"'(.*)' is not a valid integer( range)?\.$", r"'\1' is geen geheel getal."),
        (r"'(.*)' is not a valid float( range)?\.$", r"'\1' is geen getal."),
        (r"Value '(.*)' is not a valid (\w+)\.$", r"'\1' is geen geldige waarde (\2)."),
        (r"(.+) is not in the range (.+)\.$", r"\1 ligt niet in het bereik \2."),
        (r"^(File|Directory|Path) '(.+)' does not exist\.$", r"'\2' bestaat niet."),
    )
)


def dutch_usage_message(exc: Exception) -> str:
    """The message of a Click/Typer usage error in Dutch (the English one when no rule matches)."""
    format_message = getattr(exc, "format_message", None)
    message = str(format_message() if callable(format_message) else exc).strip()
    for pattern, replacement in USAGE_MESSAGES:
        message = pattern.sub(replacement, message)
    return message.replace(" Bedoelt u ?", "").strip()


def report_usage_error(exc: Exception) -> None:
    """A wrong command line in Dutch on stderr: the usage line, where to find help, one ``Fout:`` line.

    Stands in for Typer's own error panel (Typer still exits with the error's code, 2)."""
    from rich.console import Console
    from rich.markup import escape

    if type(exc).__name__ == "NoArgsIsHelpError":  # the help has been shown already
        return
    console = Console(stderr=True)
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        console.print(escape(ctx.get_usage()), highlight=False, soft_wrap=True)
        console.print(f"Zie '{escape(ctx.command_path)} --help' voor hulp.", highlight=False)
    console.print(f"[bold red]Fout:[/] {escape(dutch_usage_message(exc))}", highlight=False, soft_wrap=True)


def _patch_vendored_click() -> None:
    """Typer's copy of Click: "Gebruik: " before the usage line, the help option described in Dutch."""
    formatting = importlib.import_module("typer._click.formatting")
    core = importlib.import_module("typer._click.core")
    if getattr(formatting.HelpFormatter.write_usage, "_plein", False):
        return
    write_usage = formatting.HelpFormatter.write_usage
    get_help_option = core.Command.get_help_option

    def dutch_write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, "Gebruik: " if prefix is None else prefix)

    def dutch_help_option(self: Any, ctx: Any) -> Any:
        option = get_help_option(self, ctx)
        if option is not None and option.help == "Show this message and exit.":
            option.help = dutch(option.help)
        return option

    dutch_write_usage._plein = True  # type: ignore[attr-defined]
    formatting.HelpFormatter.write_usage = dutch_write_usage
    core.Command.get_help_option = dutch_help_option
