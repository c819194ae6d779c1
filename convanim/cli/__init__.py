"""The `convanim` command: a thin click layer over the library, one module per command. Options become library
calls; every user mistake becomes one line on stderr, with the library's parameter names shown as flags, and exit
status 2. Nothing here imports numpy: each command imports what it needs when it runs."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

import click

from convanim import __version__
from convanim.cli import explain, gallery, map, norm, render, stages
from convanim.cli.options import cli_message, examples
from convanim.errors import SpecError

USAGE_ERROR = 2


class ConvanimGroup(click.Group):
    """Turns click's usage errors and our `SpecError` into one line and exit status 2, without a traceback."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        previous = _terminate_as_interrupt()
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) else 0
        except click.exceptions.NoArgsIsHelpError as error:  # a bare `convanim` (or `convanim stages`) asks for help
            click.echo(error.ctx.get_help() if error.ctx else self.get_help(click.Context(self)))
            code = 0
        except click.UsageError as error:
            hint = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
            code = _fail(f"{error.format_message()}{hint}")
        except SpecError as error:
            code = _fail(cli_message(str(error)))
        except click.ClickException as error:
            click.echo(f"convanim: error: {error.format_message()}", err=True)
            code = error.exit_code
        except click.Abort as error:  # Ctrl-C or SIGTERM: files written whole are kept, temporaries removed
            terminated = isinstance(error.__cause__, Terminated)
            click.echo("convanim: terminated" if terminated else "Aborted!", err=True)
            code = 128 + (signal.SIGTERM if terminated else signal.SIGINT)
        except BrokenPipeError:  # `convanim map | head`: the reader has what it wanted
            sys.stderr.close()
            code = 1
        except OSError as error:  # a path the operating system refuses, anywhere not already named
            where = f"{error.filename}: " if error.filename else ""
            code = _fail(f"{where}{error.strerror or error}")
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        if standalone_mode:
            sys.exit(code)
        return code


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that it unwinds like Ctrl-C: `finally` blocks run, temporary files go,
    workers are stopped."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated


def _terminate_as_interrupt() -> Any:
    """Turn SIGTERM into `Terminated` while a command runs (main thread only); the previous handler, or None."""
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _raise_terminated)
    return signal.SIG_DFL if previous is None else previous


def _fail(message: str) -> int:
    click.echo(f"convanim: error: {message}", err=True)
    return USAGE_ERROR


@click.group(cls=ConvanimGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=examples(
    'convanim explain "Conv2d(3, 10, 5, padding=2)" --input 32',
    "convanim render --input 5 --kernel 3 --stride 2 --padding 1 -o strided.gif",
    "convanim list",
))
@click.version_option(__version__, package_name="convanim")
def cli() -> None:
    """Exact, beautiful animations of convolutions: geometry, explanations, renders and a gallery.

    Shell completion (bash; zsh and fish likewise): eval "$(_CONVANIM_COMPLETE=bash_source convanim)"."""


for _module in (map, explain, render, stages, norm, gallery):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    cli()
