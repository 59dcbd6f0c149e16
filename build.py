#!/usr/bin/env python3
"""Build the explainer site: `python build.py [build|check|serve|new] [options]`."""

import sys

if __name__ == "__main__":
    if sys.version_info < (3, 11):  # noqa: UP036 - this file is what an older Python runs
        # Said before anything of the package is imported: it would fail on this Python.
        print(
            "error: build.py needs Python 3.11 or newer, and {} is Python {}.{}. Install a "
            "newer Python and run `make site PYTHON=python3.12` (or whichever you have) to "
            "set up the project's environment, then `.venv/bin/python build.py`.".format(
                sys.executable, *sys.version_info[:2]
            ),
            file=sys.stderr,
        )
        sys.exit(1)
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
