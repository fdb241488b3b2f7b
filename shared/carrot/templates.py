"""Carrot templates: text with ``{{ expr }}`` outputs and ``{% if %}`` blocks.

``{% if cond %}...{% elsif cond %}...{% else %}...{% endif %}`` chooses a branch; conditions read
as filters (white-space clauses are joined by AND), outputs as expressions. A tag ends at the
first ``}}`` or ``%}`` outside quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from shared.carrot import nodes as n
from shared.carrot.lexer import repr_text
from shared.carrot.parser import MAX_NESTING, parse
from shared.errors import CarrotSyntaxError

_KEYWORD: Final = re.compile(r"\s*([A-Za-z]*)")
_STATEMENTS: Final = ("if", "elsif", "else", "endif")


def is_template(text: str) -> bool:
    """Whether a profile-field source is a template rather than an expression."""
    return "{{" in text or "{%" in text


def parse_template(text: str) -> n.Template:
    """The template's syntax tree."""
    return _TemplateParser(text).parse()


@dataclass(frozen=True, slots=True)
class _Tag:
    kind: str  # "output" or a statement keyword
    start: int
    end: int
    node: n.Node | None  # the output's expression or the if/elsif condition

    def shown(self, text: str) -> str:
        return repr_text(text[self.start : self.end])


class _TemplateParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def parse(self) -> n.Template:
        body, stop = self.block(0)
        if stop is not None:
            raise CarrotSyntaxError(
                self.text,
                stop.start + 1,
                f"'{{% if %}}' before '{{% {stop.kind} %}}'",
                stop.shown(self.text),
            )
        return body

    def block(self, depth: int) -> tuple[n.Template, _Tag | None]:
        """Parts up to the end of text or an elsif/else/endif tag (returned, consumed)."""
        if depth > MAX_NESTING:
            raise CarrotSyntaxError(
                self.text, self.pos + 1, f"at most {MAX_NESTING} nested if-blocks", "more"
            )
        parts: list[n.Text | n.Output | n.IfBlock] = []
        start = self.pos
        while True:
            text_start = self.pos
            tag = self.next_tag()
            text_end = tag.start if tag else len(self.text)
            if text_end > text_start:
                parts.append(n.Text(self.text[text_start:text_end], (text_start, text_end)))
            if tag is None or tag.kind in ("elsif", "else", "endif"):
                return n.Template(tuple(parts), (start, text_end)), tag
            if tag.kind == "output" and tag.node is not None:
                parts.append(n.Output(tag.node, (tag.start, tag.end)))
            else:
                parts.append(self.if_block(tag, depth + 1))

    def if_block(self, opening: _Tag, depth: int) -> n.IfBlock:
        """The arms after an ``{% if %}`` tag, through its ``{% endif %}``."""
        branches: list[n.Branch] = []
        tag = opening
        while True:
            body, stop = self.block(depth)
            stop = self.require_closing(stop, opening)
            if tag.node is not None:
                branches.append(n.Branch(tag.node, body, (tag.start, stop.start)))
            if stop.kind == "endif":
                return n.IfBlock(tuple(branches), None, (opening.start, stop.end))
            if stop.kind == "else":
                otherwise, last = self.block(depth)
                last = self.require_closing(last, opening)
                if last.kind != "endif":
                    raise CarrotSyntaxError(
                        self.text,
                        last.start + 1,
                        "'{% endif %}' after '{% else %}'",
                        last.shown(self.text),
                    )
                return n.IfBlock(tuple(branches), otherwise, (opening.start, last.end))
            tag = stop

    def require_closing(self, stop: _Tag | None, opening: _Tag) -> _Tag:
        """``stop``, or an error saying the if-block opened at ``opening`` never ends."""
        if stop is None:
            raise CarrotSyntaxError(
                self.text,
                len(self.text) + 1,
                f"'{{% endif %}}' for the '{{% if %}}' in column {opening.start + 1}",
                "end of text",
            )
        return stop

    def next_tag(self) -> _Tag | None:
        """The next tag at or after ``self.pos`` (moving past it), or None at the end."""
        text = self.text
        candidates = [
            at for at in (text.find("{{", self.pos), text.find("{%", self.pos)) if at >= 0
        ]
        if not candidates:
            self.pos = len(text)
            return None
        start = min(candidates)
        is_output = text[start + 1] == "{"
        closer = "}}" if is_output else "%}"
        close = _find_closer(text, start + 2, closer)
        if close < 0:
            raise CarrotSyntaxError(
                text,
                len(text) + 1,
                f"'{closer}' for the '{text[start : start + 2]}' in column {start + 1}",
                "end of text",
            )
        self.pos = close + 2
        if is_output:
            node = parse(text, start + 2, close, end_shown="'}}'")
            return _Tag("output", start, close + 2, node)
        return self.statement(start, close)

    def statement(self, start: int, close: int) -> _Tag:
        """A ``{% keyword ... %}`` tag."""
        text = self.text
        found = _KEYWORD.match(text, start + 2, close)
        keyword = found.group(1).lower() if found else ""
        after = found.end() if found else start + 2
        if keyword not in _STATEMENTS:
            raise CarrotSyntaxError(
                text,
                after - len(keyword) + 1,
                "if, elsif, else or endif after '{%'",
                repr_text(keyword) if keyword else repr_text(text[after:close].strip() or "%}"),
            )
        if keyword in ("if", "elsif"):
            node = parse(text, after, close, filter_mode=True, end_shown="'%}'")
            return _Tag(keyword, start, close + 2, node)
        rest = text[after:close]
        if rest.strip():
            offset = after + len(rest) - len(rest.lstrip())
            raise CarrotSyntaxError(
                text, offset + 1, f"'%}}' after '{keyword}'", repr_text(rest.strip())
            )
        return _Tag(keyword, start, close + 2, None)


def _find_closer(text: str, pos: int, closer: str) -> int:
    """The offset of ``closer`` at or after ``pos``, skipping quoted strings; -1 if absent."""
    while pos < len(text) - 1:
        char = text[pos]
        if char == '"':
            pos = _skip_quoted(text, pos, '"')
        elif char == "'":
            pos = _skip_quoted(text, pos, "'")
        elif text.startswith(closer, pos):
            return pos
        else:
            pos += 1
    return -1


def _skip_quoted(text: str, pos: int, quote: str) -> int:
    """The offset after the quoted run starting at ``pos`` (the end of text if unclosed)."""
    pos += 1
    while pos < len(text):
        if text[pos] == "\\" and quote == '"':
            pos += 2
            continue
        if text[pos] == quote:
            return pos + 1
        pos += 1
    return len(text)
