"""HTTP plumbing every API function shares: reading bodies, one error shape, access per route, the resolver with
its exception handlers.
"""
