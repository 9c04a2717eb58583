"""spark-submit entry point: spark-submit ... jobs/run.py <the same arguments as valuenet run>."""

import sys

from valuenet.commands.run import main

if __name__ == "__main__":
    sys.exit(main())
