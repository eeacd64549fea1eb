"""Statements: the tone check, templates, approval, publishing to the status page, feeds, channels and
subscribers, update reminders, and the post-crisis report.
"""
