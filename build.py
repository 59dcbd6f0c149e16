#!/usr/bin/env python3
"""Build the explainer site: `python build.py [build|check] [options]`."""

import sys

if __name__ == "__main__":
    try:
        import signal

        from explainer.cli import main
    except KeyboardInterrupt:  # Ctrl-C while Python was still starting
        print("Interrupted.", file=sys.stderr)
        sys.exit(130)
    status = main()
    # Done: Ctrl-C while Python shuts down would only kill it silently, status lost.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(status)
