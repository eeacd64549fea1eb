"""Reading a tenant's scored mentions and summaries."""
