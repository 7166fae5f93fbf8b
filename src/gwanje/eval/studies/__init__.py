"""Research evaluations behind the model cards (person, falls, zones, crowding, fight, fire/smoke).

Each runs the same pipeline as the service over labelled public footage and prints the figures a card
quotes; `gwanje study NAME` runs one. Labels they need live in ``labels/`` beside them.
"""
