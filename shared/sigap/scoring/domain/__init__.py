"""Scoring's pure logic: text normalisation, language, the sentiment model, signals, reach, risk, stories, and
one scoring run.
"""
