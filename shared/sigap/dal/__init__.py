"""Adapters to DynamoDB and SQS: the only code in Sigap that calls boto3."""
