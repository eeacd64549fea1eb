"""Notification's pure logic: the routing tree, silences, groups, escalation, delivery attempts and history."""
