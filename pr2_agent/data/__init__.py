"""Benchmark data: LaMP-QA and LaMP loaders, LaMP metrics, and the bundled development set.

- :mod:`pr2_agent.data.lampqa` -- LaMP-QA records, ``load_lampqa``, ``save_responses``/``load_responses``.
- :mod:`pr2_agent.data.lamp` -- LaMP tasks 1-7 (``load_lamp``).
- :mod:`pr2_agent.data.lamp_metrics` -- accuracy/macro-F1, MAE/RMSE, ROUGE-1/ROUGE-L as LaMP computes them.
- :mod:`pr2_agent.data.devset` -- the bundled synthetic development set (``load_devset``); its generator is
  ``tools/devset/`` in the source checkout.
- :mod:`pr2_agent.data.validation` -- the format errors every loader raises.
"""
