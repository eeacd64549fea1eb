"""Sigap: serverless reputation monitoring and online-crisis response on AWS."""

__version__ = "0.1.0"
