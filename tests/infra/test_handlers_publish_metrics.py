"""Every function publishes the metrics its code adds: Powertools keeps them until the handler's `log_metrics`
flushes them, so a handler without it drops them silently (the reminders function's `RemindersDeferred` was never
published). A handler is either decorated with `metrics.log_metrics` or made by `sqs_handler`, which is."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _publishes_metrics(handler: Path) -> bool:
    for node in ast.parse(handler.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef) and node.name == "lambda_handler":
            return any(ast.unparse(decorator) == "metrics.log_metrics" for decorator in node.decorator_list)
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "lambda_handler" for target in node.targets
        ):
            return isinstance(node.value, ast.Call) and ast.unparse(node.value.func) == "sqs_handler"
    raise AssertionError(f"{handler} defines no lambda_handler")


def test_every_function_flushes_its_metrics() -> None:
    handlers = sorted((ROOT / "functions").glob("*/handler.py"))
    assert len(handlers) == 22
    assert [str(handler.relative_to(ROOT)) for handler in handlers if not _publishes_metrics(handler)] == []
