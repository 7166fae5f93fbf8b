"""Files of the shared datasets that ``../shared/tools/near_dup.py`` matches to reserved evaluation footage.

One list for every trainer: such a file is never trained, validated or tuned on (DENYLIST rule 3), whichever
model reads the folder. Checked 2026-12-06 (fire-smoke-cctv-yolo: 1 of 801; fight-surv-akti 0 of 218,
fire-cair-images 0 of 647, fall-action-laifi 0 of 1,267, fire-indoor-rf 0 of 2,250).
"""

from __future__ import annotations

NEAR_DUP_DROPPED = frozenset({"test1_mp4-0_jpg.rf.ebddf273896f5edbbc226152ba44d8e4.jpg"})
