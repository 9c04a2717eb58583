"""spark-submit entry point: spark-submit ... jobs/ingest.py <the same arguments as valuenet ingest>."""

import sys

from valuenet.commands.ingest import main

if __name__ == "__main__":
    sys.exit(main())
