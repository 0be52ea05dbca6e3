"""Every ``plein …`` command the README or a message in the code shows exists, with the options it shows.

The commands are read from README.md and src/ at test time, so a renamed or lost sub-command fails
here instead of in a newcomer's terminal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from plein.cli import app

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SOURCES = ROOT / "src" / "plein"
INLINE = re.compile(r"`plein ([^`\n]+)`")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
IN_LINE = re.compile(r"(?:^|[|;&]\s*|\$\s+)plein\s+(.*)$")
COMMENT = re.compile(r"\s#(\s.*)?$")
PLACEHOLDER = ("-", "[", "<", "{", '"', "'")


@dataclass(frozen=True)
class Shown:
    """A command line as a document shows it: where, and the words after ``plein``."""

    where: str
    words: tuple[str, ...]


def _words(line: str) -> tuple[str, ...]:
    return tuple(line.split())


def shown_in_markdown(path: Path) -> list[Shown]:
    """Commands in fenced code blocks (comments stripped) and in inline code spans."""
    text = path.read_text(encoding="utf-8")
    found: list[Shown] = []
    for block in FENCE.finditer(text):
        first_line = text.count("\n", 0, block.start(1)) + 1
        for offset, line in enumerate(block.group(1).splitlines()):
            match = IN_LINE.search(COMMENT.sub("", line).strip())
            if match:
                found.append(Shown(f"{path.name}:{first_line + offset}", _words(match.group(1))))
    for span in INLINE.finditer(text):
        found.append(Shown(f"{path.name}:{text.count(chr(10), 0, span.start()) + 1}", _words(span.group(1))))
    return found


def shown_in_sources() -> list[Shown]:
    """Commands named in backticks in the code: messages, help texts and docstrings point users at them."""
    found: list[Shown] = []
    for path in sorted(SOURCES.rglob("*")):
        if path.suffix not in {".py", ".html", ".yaml", ".yml", ".txt"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        for span in INLINE.finditer(text):
            where = f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, span.start()) + 1}"
            found.append(Shown(where, _words(span.group(1))))
    return found


def _options(command: Any) -> set[str]:
    return {name for param in command.params for name in getattr(param, "opts", [])} | {"--help"}


def _is_group(command: Any) -> bool:
    """Typer ships its own copy of Click, so a group is recognised by its sub-commands, not by class."""
    return isinstance(getattr(command, "commands", None), dict)


def resolve_path(root: Any, shown: Shown) -> list[list[str]]:
    """The sub-command paths a shown line names (``a | b`` lists alternatives); fails on an unknown one."""
    paths: list[list[str]] = []
    path: list[str] = []
    chain: list[Any] = [root]
    words = shown.words
    descending = True
    index = 0
    while index < len(words):
        word = words[index]
        if word == "|":
            # ``plein users list | add``: an alternative sibling; anything else is a pipe to another program.
            following = words[index + 1] if index + 1 < len(words) else ""
            parent = chain[-2] if len(chain) > 1 else None
            if not (path and _is_group(parent) and following in parent.commands):
                break
            paths.append(list(path))
            path[-1] = following
            chain[-1] = parent.commands[following]
            descending = _is_group(chain[-1])
            index += 2
            continue
        option = word.strip("[]").split("=", 1)[0]
        if option.startswith("--"):
            known = set().union(*(_options(command) for command in chain))
            assert option in known, f"{shown.where}: `plein {' '.join(words)}`: optie {option} bestaat niet"
            descending = False
        elif descending and _is_group(chain[-1]) and not word.startswith(PLACEHOLDER):
            group = chain[-1]
            assert word in group.commands, (
                f"{shown.where}: `plein {' '.join(words)}`: {' '.join(['plein', *path])} kent geen "
                f"subcommando {word!r} (wel: {', '.join(sorted(group.commands))})"
            )
            path.append(word)
            chain.append(group.commands[word])
        else:
            descending = False  # arguments follow; later words are checked only when they are options
        index += 1
    paths.append(path)
    return paths


def all_shown() -> list[Shown]:
    return shown_in_markdown(README) + shown_in_sources()


def test_the_readme_shows_commands() -> None:
    """Guards the parser: the README's command-line sections are found at all."""
    shown = shown_in_markdown(README)
    assert len(shown) >= 20
    assert any(s.words[:2] == ("demo", "webshops") for s in shown)


@pytest.mark.parametrize("shown", all_shown(), ids=lambda s: f"{s.where} {' '.join(s.words)}"[:90])
def test_shown_command_exists(shown: Shown) -> None:
    root = typer.main.get_command(app)
    for path in resolve_path(root, shown):
        result = CliRunner().invoke(app, [*path, "--help"])
        assert result.exit_code == 0, f"{shown.where}: `plein {' '.join(path)} --help`: {result.output}"


def test_an_unknown_command_fails() -> None:
    """The check itself can fail: a lost sub-command and a lost option are caught."""
    root = typer.main.get_command(app)
    for words in (("demo", "winkels"), ("demo", "seed", "--grootte", "small"), ("users", "lijst")):
        with pytest.raises(AssertionError):
            resolve_path(root, Shown("test", words))


def test_alternatives_and_pipes() -> None:
    """``list | add`` names two sub-commands; a pipe into another program names none of plein's."""
    root = typer.main.get_command(app)
    assert resolve_path(root, Shown("test", ("users", "list", "|", "add"))) == [["users", "list"], ["users", "add"]]
    assert resolve_path(root, Shown("test", ("users", "list", "|", "grep", "x"))) == [["users", "list"]]
