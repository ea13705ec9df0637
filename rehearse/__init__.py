"""Rehearse: voice role-play practice for hard conversations."""

__version__ = "0.1.0"
