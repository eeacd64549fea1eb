"""Domain errors. Adapters turn AWS errors into these; the API turns these into HTTP answers."""


class SigapError(Exception):
    """Base class of every error Sigap raises on purpose."""


class TenantNotFoundError(SigapError):
    pass


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
