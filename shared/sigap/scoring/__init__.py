"""Scoring: sentiment, crisis signals, reach, risk and stories for each mention."""
