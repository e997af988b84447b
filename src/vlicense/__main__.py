"""Entry point for ``python -m vlicense``."""

from vlicense.cli import main

if __name__ == "__main__":
    main()
