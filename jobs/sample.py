"""spark-submit entry point: spark-submit ... jobs/sample.py <the same arguments as valuenet sample>."""

import sys

from valuenet.commands.sample import main

if __name__ == "__main__":
    sys.exit(main())
