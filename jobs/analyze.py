"""spark-submit entry point: spark-submit ... jobs/analyze.py <the same arguments as valuenet analyze>."""

import sys

from valuenet.commands.analyze import main

if __name__ == "__main__":
    sys.exit(main())
