"""The ``agora`` command.

``agora train``, ``agora score`` and ``agora evaluate`` belong to the guideline
engine and run without Django, so scoring a file never pays for loading the web
stack. Every other sub-command is Django's ``manage.py`` with Agora's settings
preset (``agora migrate``, ``agora loaddemo``, ``agora runserver`` ...).
"""

import os
import sys

ENGINE_COMMANDS = {"train", "score", "evaluate"}


# Listed after Django's commands by ``agora help``, in the form Django lists its own.
ENGINE_HELP = "[guideline engine]\n" + "".join(f"    {name}\n" for name in sorted(ENGINE_COMMANDS))


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if argv[1:2] == ["help"] and argv[2:3] and argv[2] in ENGINE_COMMANDS:
        argv = [argv[0], argv[2], "--help"]  # `agora help score` as Django answers its own
    if len(argv) > 1 and argv[1] in ENGINE_COMMANDS:
        from agora.guidelines.cli import main as engine_main

        sys.exit(engine_main(argv[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    if argv[1:] in (["help"], ["--help"], ["-h"]):
        print(ENGINE_HELP, end="")


if __name__ == "__main__":
    main()
