"""The one YAML loader keepline reads files with: PyYAML's safe loader, without aliases.

An alias (``*name``) repeats a node; aliases of aliases nested a few levels deep (the
"billion laughs" shape) make a 300-byte file expand to billions of nodes, and anything
that walks the result (the line map, validation) runs out of memory. keepline's files
(plant, plan, policy, scenario, jurisdiction, lab kits) never need one, so an alias is
refused while composing, before anything is expanded: memory stays bounded by the size
of the text.
"""

from __future__ import annotations

from typing import Any

import yaml

from keepline.errors import InputError


class NoAliasLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses aliases (``*name``, ``<<: *name``) with a marked
    error naming the line."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                f"alias '*{str(event.anchor)[:40]}' is not allowed in keepline files "
                "(write the value out in full)",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        try:
            return super().construct_yaml_int(node)
        except ValueError:  # Python refuses to read an integer of more than 4,300 digits
            raise yaml.constructor.ConstructorError(
                None, None, f"a number of {len(str(node.value)):,} digits", node.start_mark
            ) from None


NoAliasLoader.add_constructor("tag:yaml.org,2002:int", NoAliasLoader.construct_yaml_int)


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` without aliases."""
    return yaml.load(text, Loader=NoAliasLoader)


def compose(text: str) -> yaml.Node | None:
    """``yaml.compose`` (nodes with line marks) without aliases."""
    return yaml.compose(text, Loader=NoAliasLoader)


def read_nodes(
    text: str, name: str, loader: type[NoAliasLoader] = NoAliasLoader
) -> tuple[yaml.Node | None, Any]:
    """The nodes (with line marks) and the plain data of ``text``, read with ``loader``;
    a syntax error is an :class:`InputError` naming ``name:line``."""
    try:
        node = yaml.compose(text, Loader=loader)
        data: Any = yaml.load(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise InputError([f"{name}:{line}: not valid YAML: {exc.problem or exc}"]) from None
    except yaml.YAMLError as exc:
        raise InputError([f"{name}: not valid YAML: {exc}"]) from None
    return node, data
