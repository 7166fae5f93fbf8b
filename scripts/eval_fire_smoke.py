"""Print the fire/smoke model's held-out metrics (and, with --latency, ms per frame on one thread).

See gwanje.training.fire_smoke.eval for the options; the model card quotes this command's output.
"""

import sys

from gwanje.training.fire_smoke.eval import main

if __name__ == "__main__":
    sys.exit(main())
