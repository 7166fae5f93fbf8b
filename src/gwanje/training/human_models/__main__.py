"""`python -m gwanje.training.human_models`: convert the person and pose models (converter environment only)."""

from gwanje.training.human_models.convert import main

main()
