"""From any tool's JSON to Sigap's mentions: one mapping (JMESPath), lenient readings, and presets."""
