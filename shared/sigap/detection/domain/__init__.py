"""Detection's pure logic: rules, baseline, scope, the alert lifecycle and one tenant-minute evaluation."""
