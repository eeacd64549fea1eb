"""The notifications API function: its routers (one per resource), their wiring, and the resolver that serves
them."""
