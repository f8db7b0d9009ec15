"""The development-set generator and its persona catalog (JSON data under ``catalog/``).

The package ships only the generated files (``pr2_agent/data/devset/*.json``) and their loader
(:mod:`pr2_agent.data.devset`); regenerate them with ``python tools/devset/make_devset.py``.

- :mod:`tools.devset.schema` -- the catalog's types and the template renderer.
- :mod:`tools.devset.catalog` -- reads and validates the JSON catalog into those types.
- :mod:`tools.devset.generator` -- turns a catalog and a seed into LaMP-QA records.
- :mod:`tools.devset.make_devset` -- the command that writes the bundled files.
"""
