"""Learned reward models, one module each (imported by name, so none loads torch unless used).

* ``pairwise``: a (query, output) pair encoder with a scalar head (PrLM's personalization reward model).
* ``prmu``: PRMU, a reward model that sees a user embedding (TagPR).
"""
