"""A budget for YAML aliases (*name): what they may add to a file, checked before any is expanded.

An alias repeats the value its anchor (&name) marks. Anchors may hold aliases, so nine lines of
nine aliases each stand for 9**9 values: a few hundred bytes that would take gigabytes to load.
The composed node graph shares each anchored node, so its expanded size is counted in one pass
over the distinct nodes, remembering each node's size, and the file is refused when aliases
would add more than these limits.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from .problems import Loc, Problem, format_path

# A few dozen reuses of a location or a pay scale add hundreds of values; 10,000 load in ~30 ms.
MAX_ALIAS_VALUES = 10_000
# A paragraph reused on every role adds tens of thousands of characters; a megabyte is no campaign.
MAX_ALIAS_CHARS = 1_000_000
# Totals above this are shown as "more than ...", so counting a bomb stays cheap arithmetic.
_CEILING = 10**15

_HINT = (
    "write the values out where they are needed instead of nesting aliases in anchors, "
    "or use `extends:` to build a campaign on a shared one"
)


def check_aliases(file: Path, text: str, node: yaml.Node, loader: type) -> Problem | None:
    """A problem when the file's aliases would add more than the limits (or include themselves);
    `loader` is the loader class that composed `node`, used again only to say where."""
    if "*" not in text or _within_budget(node):  # no alias can be written without a *
        return None
    found = _find_alias(text, loader)
    if found is None:  # the node pass and the event pass count alike: never expected
        mark = node.start_mark
        return Problem(file, mark.line + 1, mark.column + 1, "", "aliases expand too far", _HINT)
    return found.problem(file)


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, yaml.SequenceNode):
        yield from node.value


def _own_chars(node: yaml.Node) -> int:
    return len(node.value) if isinstance(node, yaml.ScalarNode) else 0


def _within_budget(root: yaml.Node) -> bool:
    """Whether aliases add at most the limits and none includes itself; linear in the distinct
    nodes (and alias uses), never expanding one."""
    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values, characters) once expanded
    open_nodes = {id(root)}  # the nodes being counted: an alias to one of them is a cycle
    stack = [(root, _children(root), [1, _own_chars(root)])]
    added_values = added_chars = 0
    while stack:
        node, children, total = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            open_nodes.discard(id(node))
            sizes[id(node)] = (total[0], total[1])
            if stack:
                stack[-1][2][0] += total[0]
                stack[-1][2][1] += total[1]
            continue
        if id(child) in open_nodes:
            return False
        if id(child) in sizes:  # met before: this is an alias to it
            values, chars = sizes[id(child)]
            added_values += values
            added_chars += chars
            if added_values > MAX_ALIAS_VALUES or added_chars > MAX_ALIAS_CHARS:
                return False
            total[0] += values
            total[1] += chars
            continue
        open_nodes.add(id(child))
        stack.append((child, _children(child), [1, _own_chars(child)]))
    return True


@dataclass
class _Frame:
    """A sequence or mapping being read from the event stream."""

    anchor: str | None
    mapping: bool
    values: int = 1
    chars: int = 0
    items: int = 0  # children so far (keys and values, for a mapping)
    key: str | int | None = None  # the last key read, for the path

    def add(self, values: int, chars: int) -> None:
        self.values = min(self.values + values, _CEILING)
        self.chars = min(self.chars + chars, _CEILING)
        self.items += 1


@dataclass
class _Overrun:
    """The alias whose use goes over a limit, and what all the file's aliases would add."""

    name: str
    mark: yaml.Mark
    path: Loc
    cycle: bool = False
    own: tuple[int, int] = (0, 0)
    total: list[int] | None = None

    def problem(self, file: Path) -> Problem:
        line, column, path = self.mark.line + 1, self.mark.column + 1, format_path(self.path)
        if self.cycle:
            return Problem(
                file,
                line,
                column,
                path,
                f"the alias *{self.name} refers to the value that contains it",
                "YAML anchors cannot include themselves: write the value out",
            )
        values, chars = self.total or (0, 0)
        if values > MAX_ALIAS_VALUES:
            amount, limit, unit = values, MAX_ALIAS_VALUES, "values"
            own = self.own[0]
        else:
            amount, limit, unit = chars, MAX_ALIAS_CHARS, "characters of text"
            own = self.own[1]
        message = (
            f"aliases would add {_count(amount)} {unit} to this file (*{self.name} here adds "
            f"{_count(own)}); at most {limit:,} may come from aliases"
        )
        return Problem(file, line, column, path, message, _HINT)


def _count(n: int) -> str:
    return f"more than {_CEILING:,}" if n >= _CEILING else f"{n:,}"


def _find_alias(text: str, loader: type) -> _Overrun | None:
    """Read the events again, counting as `_within_budget` counts, to find the alias use that
    goes over (a node does not say where the aliases to it stand) and the file's whole total."""
    anchors: dict[str, tuple[int, int]] = {}
    stack = [_Frame(None, mapping=False)]  # the document itself
    added = [0, 0]
    found: _Overrun | None = None
    for event in yaml.parse(text, Loader=loader):
        top = stack[-1]
        if isinstance(event, yaml.CollectionStartEvent):
            _note_key(top, None)
            stack.append(_Frame(event.anchor, mapping=isinstance(event, yaml.MappingStartEvent)))
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            done = stack.pop()
            if done.anchor is not None:
                anchors[done.anchor] = (done.values, done.chars)
            stack[-1].add(done.values, done.chars)
            continue
        if isinstance(event, yaml.ScalarEvent):
            _note_key(top, event.value)
            if event.anchor is not None:
                anchors[event.anchor] = (1, len(event.value))
            top.add(1, len(event.value))
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:  # an anchor still open: the alias is inside it
                return _Overrun(event.anchor, event.start_mark, _path(stack), cycle=True)
            values, chars = anchors[event.anchor]
            added[0] = min(added[0] + values, _CEILING)
            added[1] = min(added[1] + chars, _CEILING)
            over = added[0] > MAX_ALIAS_VALUES or added[1] > MAX_ALIAS_CHARS
            if over and found is None:
                found = _Overrun(event.anchor, event.start_mark, _path(stack), own=(values, chars))
            _note_key(top, None)
            top.add(values, chars)
    if found is not None:
        found.total = added
    return found


def _note_key(frame: _Frame, value: str | None) -> None:
    """Remember a mapping's key (the child read in key position) for the path."""
    if frame.mapping and frame.items % 2 == 0:
        frame.key = value


def _path(stack: list[_Frame]) -> Loc:
    """Where in the file the next child of the innermost frame goes, as a path."""
    path: list[str | int] = []
    for frame in stack[1:]:
        if not frame.mapping:
            path.append(frame.items)
        elif frame.items % 2 == 1 and frame.key is not None:
            path.append(frame.key)
        else:
            break
    return tuple(path)
