"""Training the shipped sentiment model from data/."""
