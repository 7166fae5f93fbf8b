"""The drawn collapse scene the fall tests use; it lives with the studies (``gwanje study falls drawn``)."""

from gwanje.eval.studies.collapse import FEET_Y, CollapseScene

__all__ = ["FEET_Y", "CollapseScene"]
