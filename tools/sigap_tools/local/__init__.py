"""The local stack: AWS on 127.0.0.1 (moto's server), resources provisioned from template.yaml, the HTTP API
served locally, and every function driven from its real event source the way Lambda drives it."""
