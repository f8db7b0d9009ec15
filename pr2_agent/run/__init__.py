"""The run layer: many graph runs together, judges, checkpoints, data and profile ingestion.

Serving, evaluation, export and training all go through these modules; none of them knows which
method (PR2, ...) or which task (LaMP-QA, ...) runs. Entry points (the CLI, ``trainers/*.py``) only
parse arguments and call into here.
"""
