"""Dropout sites: every place a model applies dropout-like noise, and how."""

from droplint.sites.model import Site

__all__ = ["Site"]
