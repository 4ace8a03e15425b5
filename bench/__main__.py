"""``python -m bench``: see bench/README.md."""

from .run import main

raise SystemExit(main())
