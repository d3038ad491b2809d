"""Watch-topic expressions: AND, OR, NOT, parentheses, "quoted phrases", NEAR/n.

Grammar (NOT binds tightest, then NEAR, AND, OR; juxtaposition means AND):
    expr   := and ("OR" and)*
    and    := near (["AND"] near)*
    near   := unary ("NEAR/" n unary)*
    unary  := "NOT" unary | "(" expr ")" | term | "phrase"
Terms match as case-insensitive substrings of the normalised text (Chinese has no spaces,
so a word is a substring). NEAR/n: both sides occur with at most n characters between them.
`|`, `&`, `-` / `!` are accepted for OR, AND, NOT, and the Chinese 与/或/非 are not operators
(they are ordinary words in Chinese text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yuqing.analysis.normalise import normalise


class WatchSyntaxError(ValueError):
    """A bad expression, with the 0-based character position of the problem."""

    def __init__(self, message: str, position: int, expression: str) -> None:
        self.position = position
        self.expression = expression
        pointer = expression + "\n" + " " * position + "^"
        super().__init__(f"监测表达式语法错误（第 {position + 1} 个字符）：{message}\n{pointer}")


@dataclass(frozen=True)
class Term:
    text: str


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Near:
    left: Node
    right: Node
    distance: int


Node = Term | Not | And | Or | Near


@dataclass(frozen=True)
class _Tok:
    kind: str  # TERM PHRASE AND OR NOT NEAR LPAREN RPAREN END
    value: str
    pos: int


_TOKEN_RE = re.compile(
    r"""\s*(?:
        (?P<LPAREN>\() | (?P<RPAREN>\)) |
        (?P<PHRASE>"[^"]*"?) |
        (?P<NEAR>NEAR/\d*(?![^\s()"])) |
        (?P<OP>\|\||&&|[|&!]|-(?=[^\s])) |
        (?P<WORD>[^\s()"]+)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"AND": "AND", "OR": "OR", "NOT": "NOT"}
_SYMBOLS = {"|": "OR", "||": "OR", "&": "AND", "&&": "AND", "!": "NOT", "-": "NOT"}


def _lex(expression: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    while pos < len(expression):
        if expression[pos:].strip() == "":
            break
        m = _TOKEN_RE.match(expression, pos)
        if m is None or m.end() == pos:  # pragma: no cover - the WORD branch matches anything else
            raise WatchSyntaxError("无法识别的字符", pos, expression)
        start = m.start(m.lastgroup or 0)
        kind, value = m.lastgroup or "", m.group(m.lastgroup or 0)
        if kind == "PHRASE":
            if len(value) < 2 or not value.endswith('"'):
                raise WatchSyntaxError("引号没有闭合", start, expression)
            if not value[1:-1].strip():
                raise WatchSyntaxError("引号内的短语为空", start, expression)
            toks.append(_Tok("PHRASE", value[1:-1], start))
        elif kind == "NEAR":
            if value == "NEAR/":
                raise WatchSyntaxError("NEAR/ 后面需要一个数字（如 NEAR/5）", start, expression)
            toks.append(_Tok("NEAR", value[5:], start))
        elif kind == "OP":
            toks.append(_Tok(_SYMBOLS[value], value, start))
        elif kind == "WORD" and value in _KEYWORDS:
            toks.append(_Tok(_KEYWORDS[value], value, start))
        elif kind == "WORD" and value.upper() == "NEAR":
            raise WatchSyntaxError("NEAR 需要写成 NEAR/n（n 为字符距离）", start, expression)
        else:
            toks.append(_Tok(kind, value, start))
        pos = m.end()
    toks.append(_Tok("END", "", len(expression)))
    return toks


class _Parser:
    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.toks = _lex(expression)
        self.i = 0

    @property
    def cur(self) -> _Tok:
        return self.toks[self.i]

    def error(self, message: str, tok: _Tok | None = None) -> WatchSyntaxError:
        return WatchSyntaxError(message, (tok or self.cur).pos, self.expression)

    def parse(self) -> Node:
        if self.cur.kind == "END":
            raise self.error("表达式为空")
        node = self.expr()
        if self.cur.kind == "RPAREN":
            raise self.error("多余的右括号")
        if self.cur.kind != "END":  # pragma: no cover - every other token starts an operand
            raise self.error("无法解析")
        return node

    def expr(self) -> Node:
        parts = [self.and_()]
        while self.cur.kind == "OR":
            self.i += 1
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_(self) -> Node:
        parts = [self.near()]
        while self.cur.kind in ("AND", "TERM", "WORD", "PHRASE", "NOT", "LPAREN"):
            if self.cur.kind == "AND":
                self.i += 1
            parts.append(self.near())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def near(self) -> Node:
        node = self.unary()
        while self.cur.kind == "NEAR":
            distance = int(self.cur.value)
            self.i += 1
            node = Near(node, self.unary(), distance)
        return node

    def unary(self) -> Node:
        tok = self.cur
        if tok.kind == "NOT":
            self.i += 1
            return Not(self.unary())
        if tok.kind == "LPAREN":
            self.i += 1
            if self.cur.kind == "RPAREN":
                raise self.error("括号内为空")
            node = self.expr()
            if self.cur.kind != "RPAREN":
                raise self.error("缺少右括号，对应的左括号在此", tok)
            self.i += 1
            return node
        if tok.kind in ("WORD", "PHRASE"):
            self.i += 1
            return Term(normalise(tok.value).lower())
        if tok.kind == "END":
            raise self.error("表达式意外结束：运算符后缺少关键词")
        if tok.kind == "RPAREN":
            raise self.error("多余的右括号")
        raise self.error(f"此处需要关键词，却是运算符 {tok.value}")


def parse(expression: str) -> Node:
    """The expression's tree; raises WatchSyntaxError (a ValueError) with the position."""
    return _Parser(expression).parse()


def _positions(text: str, needle: str) -> list[int]:
    out, start = [], text.find(needle)
    while start != -1:
        out.append(start)
        start = text.find(needle, start + 1)
    return out


def _spans(node: Node, text: str) -> list[tuple[int, int]] | None:
    """Where a NEAR operand matches (terms and phrases only; other nodes give None)."""
    if isinstance(node, Term):
        return [(p, p + len(node.text)) for p in _positions(text, node.text)]
    if isinstance(node, Or):
        spans: list[tuple[int, int]] = []
        for op in node.operands:
            sub = _spans(op, text)
            if sub is None:
                return None
            spans.extend(sub)
        return spans
    if isinstance(node, Near):
        left, right = _spans(node.left, text), _spans(node.right, text)
        if left is None or right is None:
            return None
        return [(min(a[0], b[0]), max(a[1], b[1])) for a in left for b in right
                if _gap(a, b) <= node.distance]
    return None


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(b[0] - a[1], a[0] - b[1], 0)


def matches(node: Node, text: str) -> bool:
    """Does the (normalised, lower-cased) text satisfy the expression?"""
    if isinstance(node, Term):
        return node.text in text
    if isinstance(node, Not):
        return not matches(node.operand, text)
    if isinstance(node, And):
        return all(matches(op, text) for op in node.operands)
    if isinstance(node, Or):
        return any(matches(op, text) for op in node.operands)
    spans = _spans(node, text)
    if spans is None:  # NEAR over a NOT/AND operand: fall back to both sides occurring
        return matches(node.left, text) and matches(node.right, text)
    return bool(spans)


def validate(expression: str) -> None:
    """Raise WatchSyntaxError for a bad expression (for forms and configuration)."""
    parse(expression)


class WatchSet:
    """Compiled watch topics: which topic names a text matches."""

    def __init__(self, topics: dict[str, str]) -> None:
        self.trees = {name: parse(expr) for name, expr in topics.items()}

    def match(self, normalised_text: str) -> list[str]:
        folded = normalised_text.lower()
        return [name for name, tree in self.trees.items() if matches(tree, folded)]
