"""The base of every SQS consumer that works on a whole batch before Powertools walks its records.

Powertools' BatchProcessor calls `process()` (public) inside its context manager, after it has set `records`
and before it builds the partial batch response: `before_records` runs first, on the raw records, and
`after_records` last, whatever happened to each record. Consumers never override the processor's private
`_prepare` or `_clean`. Each record still goes through `handle_record`, so its failure is reported alone.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType


class WholeBatchProcessor(BatchProcessor):
    def __init__(self) -> None:
        # A batch whose every record failed is reported like any other, not raised: SQS retries those records.
        super().__init__(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

    def before_records(self, records: list[dict[str, Any]]) -> None:
        """Work on the whole batch (score it, send it side by side) before its records are handled one by one."""

    def after_records(self) -> None:
        """What follows the batch (best-effort asks), after every record was handled or failed."""

    def process(self) -> list[tuple[Any, ...]]:
        records: list[dict[str, Any]] = self.records
        self.before_records(records)
        try:
            return super().process()
        finally:
            self.after_records()
