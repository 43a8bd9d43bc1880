"""Start MiniStack in the foreground with Lambda workers on the isolated runtime interpreter.

Run by the emulator's own virtual environment. MiniStack starts Python Lambda workers with
``sys.executable``; pointing it at ``.local/runtime`` (a virtual environment holding only boto3, as
the AWS python3.11 runtime does) means a function sees only its package, its layers and boto3, so a
missing dependency fails locally exactly as it would on AWS. Stdlib only: this file runs outside
the project's development environment.
"""

import sys


def main() -> None:
    runtime_python = sys.argv[1]
    sys.argv = sys.argv[:1]
    sys.executable = runtime_python
    from ministack.app import main as ministack_main  # noqa: PLC0415 - after sys.executable is set

    ministack_main()


if __name__ == "__main__":
    main()
