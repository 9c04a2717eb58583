"""spark-submit entry point: spark-submit ... jobs/export.py <the same arguments as valuenet export>."""

import sys

from valuenet.commands.export import main

if __name__ == "__main__":
    sys.exit(main())
