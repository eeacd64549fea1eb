"""SQS consumers' wiring: Powertools batch processors that hand each batch to its logic with the adapters."""
