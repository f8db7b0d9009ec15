"""Learned reward models, one module each (imported by name, so none loads torch unless used).

* ``prmu``: PRMU, a reward model that sees a user embedding (TagPR).
"""
