"""The tone check of crisis statements: rules, their patterns in both languages, and advice."""
