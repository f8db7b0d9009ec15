"""Hand-written persona catalog for the development-set generator: one module per everyday domain.

See :mod:`pr2_agent.data.persona_catalog.schema` for the types and template syntax, and
:mod:`pr2_agent.data.devset` for how the generator uses them.
"""

from __future__ import annotations

from pr2_agent.data.persona_catalog import (
    careers,
    cooking,
    crafts,
    cycling,
    fitness,
    games,
    gardening,
    health_habits,
    home_repair,
    language_learning,
    movies,
    music,
    parenting,
    personal_finance,
    pets,
    photography,
    reading,
    social_life,
    study,
    travel,
)
from pr2_agent.data.persona_catalog.schema import Domain

DOMAINS: tuple[Domain, ...] = (
    # Art_and_Entertainment
    music.DOMAIN,
    games.DOMAIN,
    reading.DOMAIN,
    movies.DOMAIN,
    photography.DOMAIN,
    crafts.DOMAIN,
    # Lifestyle_and_Personal_Development
    cooking.DOMAIN,
    travel.DOMAIN,
    fitness.DOMAIN,
    gardening.DOMAIN,
    pets.DOMAIN,
    parenting.DOMAIN,
    cycling.DOMAIN,
    home_repair.DOMAIN,
    health_habits.DOMAIN,
    careers.DOMAIN,
    # Society_and_Culture
    personal_finance.DOMAIN,
    study.DOMAIN,
    language_learning.DOMAIN,
    social_life.DOMAIN,
)
"""All domains, grouped by LaMP-QA category; the order is part of the generator's determinism."""
