"""spark-submit entry point: spark-submit ... jobs/report.py <the same arguments as valuenet report>."""

import sys

from valuenet.commands.report import main

if __name__ == "__main__":
    sys.exit(main())
