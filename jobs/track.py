"""spark-submit entry point: spark-submit ... jobs/track.py <the same arguments as valuenet track>."""

import sys

from valuenet.commands.track import main

if __name__ == "__main__":
    sys.exit(main())
