"""Statement publishing: statements and their tone check, approval, publishing to the status page, feeds,
subscribers and channels, update reminders, and the post-crisis report."""
