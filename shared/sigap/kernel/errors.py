"""Domain errors. Adapters turn AWS errors into these; the API turns these into HTTP answers."""


class SigapError(Exception):
    """Base class of every error Sigap raises on purpose."""


class TenantNotFoundError(SigapError):
    pass


class NotFoundError(SigapError):
    """The thing a request names (an alert, say) does not exist for this tenant."""


class TenantExistsError(SigapError):
    pass


class SingleBrandStackError(SigapError):
    """A single-brand stack already holds its one tenant."""


class StorageError(SigapError):
    """DynamoDB refused or failed a request (throttling, missing table, permissions)."""


class QueueError(SigapError):
    """SQS refused or failed a request."""


class InvalidCursorError(SigapError):
    pass


class InvalidWindowError(SigapError, ValueError):
    """A time window a client asked for that Sigap cannot answer (reversed, too long, out of range)."""

    def __init__(self, message: str, field: str = "since") -> None:
        super().__init__(message)
        self.field = field


class MentionTooLargeError(SigapError, ValueError):
    """One mention is larger, once serialised, than one stored and queued mention may be."""

    def __init__(self, index: int, size: int, limit: int) -> None:
        super().__init__(f"mentions[{index}] is {size} bytes once serialised; the limit is {limit} bytes")
        self.index = index
        self.size = size
        self.limit = limit


class IdempotencyKeyReusedError(SigapError):
    """An Idempotency-Key came back with another body within its window."""


class RequestInProgressError(SigapError):
    """A request with the same Idempotency-Key is still being handled."""


class UnprocessableError(SigapError):
    """A well-formed request Sigap cannot use (a payload its source's mapping cannot map): a 422 with a code and
    each field's problem."""

    def __init__(self, code: str, message: str, problems: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.code = code
        self.problems = problems


class ConflictError(SigapError):
    """The request conflicts with what is stored (a name taken, a version moved on): a 409."""


class TooManyRecordsError(SigapError):
    """A payload holds more records than one request may carry: a 413."""


class QuotaExceededError(SigapError):
    """A tenant's quota is used up (429): `retry_after` seconds until it renews."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ForbiddenError(SigapError):
    """The caller may not do this, though it may act on the tenant (the last admin removing themselves, a brand
    asking for an agency's clients): a 403 naming why."""
