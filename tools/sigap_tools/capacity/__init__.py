"""The capacity model: DynamoDB units per partition key per second and item sizes, on the adapters 'real calls."""
