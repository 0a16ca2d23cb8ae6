"""Dropout sites: every place a model applies dropout-like noise, and how."""

from droplint.sites.model import Site
from droplint.sites.semantics import Semantics

__all__ = ["Semantics", "Site"]
