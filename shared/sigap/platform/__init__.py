"""The platform every function stands on: AWS clients, settings, observability, DynamoDB and SQS helpers, the
retry helpers, and the HTTP plumbing (body, errors, access, resolver).
"""
