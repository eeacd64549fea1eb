"""The kernel every feature shares: tenants and their keys, time, identifiers, errors, language, signed tokens
and cursors, paging windows, and the models two features exchange (mentions, scores, aggregates). Pure: no
AWS, no HTTP, no environment.
"""
