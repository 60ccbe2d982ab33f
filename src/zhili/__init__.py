"""Zhili (治理): municipal social governance platform."""

__version__ = "0.1.0"
