"""The sandbox a tenant's statement template runs in: what a template may say, and how much it may produce.

Jinja2's sandbox keeps a template from reaching Python's insides, but not from spending the function's time and
memory: a loop of a hundred million, `'x' * 100000000`, two nested loops of ten thousand, an `include` of a file.
A statement template fills variables into text, so the sandbox allows only what that needs, by an allow-list of
the template's syntax, checked when the template is saved and again before it renders:
- text, variables, `if`, and `for` loops that do not nest (one loop over a variable or a `range` of at most
  `MAX_RANGE` is linear in what it prints; loops inside loops multiply);
- the filters in `FILTERS` (none of them can make a string much longer than its input);
- no `include`, `import`, `extends`, macros, blocks, `set`, method calls or `**`;
- `*` on a string or list only up to `MAX_OUTPUT` characters, and no `%` formatting of strings;
- at most `MAX_FILTERS` filters, and variables of at most `MAX_VARIABLES` characters in all.
A render stops at `MAX_OUTPUT` characters of output or after `MAX_SECONDS` (checked at every piece of output and
every turn of a loop), whichever comes first.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any

from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.sandbox import SandboxedEnvironment

MAX_RANGE = 1_000
MAX_OUTPUT = 100_000  # characters a title or body may render to (a statement's body is at most 20,000)
MAX_SECONDS = 1.0
MAX_FILTERS = 50  # per title or body: a chain of sorts and joins over a long variable is the costliest thing left
MAX_VARIABLES = 20_000
FILTERS = frozenset(
    {
        "abs", "capitalize", "count", "d", "default", "e", "escape", "first", "float", "int", "join", "last",
        "length", "list", "lower", "max", "min", "reverse", "round", "sort", "string", "striptags", "sum", "title",
        "trim", "truncate", "unique", "upper", "wordcount",
    }
)  # fmt: skip
_ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Const, nodes.Name, nodes.Getattr, nodes.Getitem,
    nodes.Slice, nodes.Filter, nodes.Test, nodes.If, nodes.For, nodes.CondExpr, nodes.Compare, nodes.Operand,
    nodes.And, nodes.Or, nodes.Not, nodes.Neg, nodes.Pos, nodes.Concat, nodes.Add, nodes.Sub, nodes.Mul,
    nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.List, nodes.Tuple, nodes.Keyword, nodes.Call,
)  # fmt: skip
_WHAT = {
    nodes.Include: "'include'",
    nodes.Import: "'import'",
    nodes.FromImport: "'from ... import'",
    nodes.Extends: "'extends'",
    nodes.Macro: "macros",
    nodes.CallBlock: "'call' blocks",
    nodes.Block: "blocks",
    nodes.Assign: "'set'",
    nodes.AssignBlock: "'set'",
    nodes.Pow: "'**'",
    nodes.FilterBlock: "filter blocks",
    nodes.With: "'with'",
    nodes.Scope: "scoped blocks",
}


class TemplateLimitError(TemplateError):
    """A template that says something the sandbox does not allow, or would produce too much."""


def _refusal(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Filter) and node.name not in FILTERS:
        available = ", ".join(sorted(FILTERS))
        return f"the filter '{node.name}' is not available in statement templates (available: {available})"
    if isinstance(node, nodes.Test):
        return None
    if isinstance(node, nodes.Call):
        if not (isinstance(node.node, nodes.Name) and node.node.name == "range"):
            return "templates cannot call functions or methods (only range(...))"
        constants = [argument.value for argument in node.args if isinstance(argument, nodes.Const)]
        if len(constants) == len(node.args):
            try:
                _bounded_range(*constants)
            except (TemplateLimitError, TypeError, ValueError) as exc:
                return f"range(...): {exc}"
    if isinstance(node, nodes.Mod) and isinstance(node.left, nodes.Const) and isinstance(node.left.value, str):
        return _NO_FORMATTING
    if isinstance(node, nodes.Mul) and isinstance(node.left, nodes.Const) and isinstance(node.right, nodes.Const):
        try:
            _check_product(node.left.value, node.right.value)
        except TemplateLimitError as exc:
            return str(exc)
    if not isinstance(node, _ALLOWED_NODES):
        what = next((text for kind, text in _WHAT.items() if isinstance(node, kind)), type(node).__name__)
        return f"{what} cannot be used in statement templates"
    if isinstance(node, nodes.For) and any(True for _ in node.find_all(nodes.For)):
        return "loops cannot nest in statement templates (a loop inside a loop multiplies its work)"
    return None


def problem_in(tree: nodes.Template) -> str | None:
    """Why the template's syntax is refused, or None when the sandbox allows all of it."""
    for node in (tree, *tree.find_all(nodes.Node)):
        if (refusal := _refusal(node)) is not None:
            return refusal
    if (filters := sum(1 for _ in tree.find_all(nodes.Filter))) > MAX_FILTERS:
        return f"a template may use at most {MAX_FILTERS} filters, not {filters}"
    return None


def variables_of(tree: nodes.Template) -> set[str]:
    """The variables a template reads, from its syntax alone. (Jinja's own `meta.find_undeclared_variables`
    compiles the template with its optimizer, which computes constant expressions: `'x'|center(100000000)`.)"""
    read = {node.name for node in tree.find_all(nodes.Name) if node.ctx == "load"}
    bound = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
    return read - bound - {"loop"} - set(ENVIRONMENT.globals)


def _bounded_range(*arguments: int) -> range:
    values = range(*arguments)
    if len(values) > MAX_RANGE:
        raise TemplateLimitError(f"range(...) may give at most {MAX_RANGE} numbers, not {len(values)}")
    return values


class BoundedEnvironment(SandboxedEnvironment):
    """Jinja2's sandbox, with `*` and `%` on strings bounded and `range` capped at `MAX_RANGE`."""

    intercepted_binops = frozenset({"*", "%"})

    def __init__(self) -> None:
        # Not optimized: Jinja's optimizer folds constant expressions while compiling, so `'x'|center(100000000)`
        # would be computed (1.5 s, 100 MB) before any check of what the template may say.
        super().__init__(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True, optimized=False)
        self.globals = {"range": _bounded_range}

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            raise TemplateLimitError(_NO_FORMATTING)
        if operator == "*":
            _check_product(left, right)
        return super().call_binop(context, operator, left, right)


_NO_FORMATTING = "'%' formatting of text is not available: write the variables in the text"


def _check_product(left: Any, right: Any) -> None:
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)) and isinstance(times, int) and len(sequence) * times > MAX_OUTPUT:
            raise TemplateLimitError(f"'*' would make more than {MAX_OUTPUT} characters")


ENVIRONMENT = BoundedEnvironment()


def render_bounded(source: str, variables: dict[str, str]) -> str:
    """The template's text with these variables, refused (TemplateLimitError) when its syntax is not allowed or
    it would print more than `MAX_OUTPUT` characters or run longer than `MAX_SECONDS`."""
    if (size := sum(len(value) for value in variables.values())) > MAX_VARIABLES:
        raise TemplateLimitError(f"the variables hold {size} characters; the limit is {MAX_VARIABLES}")
    tree = ENVIRONMENT.parse(source)
    if (refusal := problem_in(tree)) is not None:
        raise TemplateLimitError(refusal)
    deadline = time.monotonic() + MAX_SECONDS
    for loop in tree.find_all(nodes.For):  # every turn of a loop passes the clock
        loop.iter = nodes.Call(nodes.Name(_EACH, "load"), [loop.iter], [], None, None, lineno=loop.lineno)
    template = ENVIRONMENT.from_string(tree, globals={_EACH: lambda values: _in_time(values, deadline)})
    size = 0
    pieces = []
    for piece in template.generate(**variables):
        size += len(piece)
        if size > MAX_OUTPUT:
            raise TemplateLimitError(f"the template renders to more than {MAX_OUTPUT} characters")
        _check_clock(deadline)
        pieces.append(piece)
    return "".join(pieces)


_EACH = "__sigap_each"  # a name no template can call: calls other than range(...) are refused before this


def _check_clock(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise TemplateLimitError(f"the template took longer than {MAX_SECONDS:g} s to render")


def _in_time(values: Iterable[Any], deadline: float) -> Iterator[Any]:
    for value in values:
        _check_clock(deadline)
        yield value
