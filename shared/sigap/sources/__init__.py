"""Sources: the doors a tenant registers (a signed webhook today), each with its mapping, its secret and its
health, and the webhook endpoint external tools call."""
