"""`convanim list` and `convanim gallery`: thin commands over `convanim.templates` and `convanim.gallery`.

Heavy imports stay inside the functions, so that `convanim` starts fast."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from convanim.cli.options import cli_message, examples

TEMPLATES_HELP = "Read the templates from this folder instead of the ones that ship with convanim."


@click.command("list", epilog=examples(
    "convanim list",
    "convanim render --template dilation -o dilation.gif",
))
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path),
              help=TEMPLATES_HELP)
def list_command(templates_dir: Path | None) -> None:
    """The templates, one a line: name, layer, shapes and title. Render one with `render --template NAME`."""
    from convanim.gallery.index import layer_summary
    from convanim.templates import load_templates

    templates = load_templates(templates_dir)
    width = max((len(t.name) for t in templates), default=0)
    for template in templates:
        click.echo(f"{template.name:<{width}}  {layer_summary(template):<31}  {template.title}")


@click.command("gallery", epilog=examples(
    "convanim gallery                          # render what changed into gallery/",
    "convanim gallery --only dilation --force  # one template, rendered again",
    "convanim gallery --check                  # exit 1 naming each stale file (CI runs this)",
))
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path),
              help=TEMPLATES_HELP)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("gallery"),
              show_default=True, help="The gallery folder.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0,
              help="Processes to render in [default: 0, one per core].")
@click.option("--only", multiple=True, metavar="NAME",
              help="Build only this template (repeat, or join names with commas).")
@click.option("--check", is_flag=True,
              help="Build nothing; exit 1 naming each file that differs from what a build would write "
                   "(always the whole gallery).")
@click.option("--clean", is_flag=True, help="Also remove files in the folder that no template produces.")
@click.option("--force", is_flag=True, help="Render every selected template, even those up to date.")
def gallery_command(templates_dir: Path | None, out_dir: Path, jobs: int, only: tuple[str, ...], check: bool,
                    clean: bool, force: bool) -> int:
    """Render every template into the gallery folder (GIF, SVG, ...) with README.md and index.html.

    Only outputs whose template or renderer changed since the last build are rendered again
    (the folder's manifest.json records the hashes)."""
    from convanim.gallery import builder as gallery
    from convanim.templates import load_templates

    templates = load_templates(templates_dir)
    if check:
        gallery.select(templates, only)  # an unknown --only name is still a mistake
        problems = gallery.check(templates, out_dir)
        if problems:
            click.echo(f"gallery: {out_dir} is stale ({len(problems)}); run 'convanim gallery' to rebuild:", err=True)
            for problem in problems:
                click.echo(f"  {cli_message(problem)}", err=True)
            return 1
        click.echo(f"gallery: {out_dir} is up to date ({len(gallery.expected_outputs(templates))} outputs)")
        return 0
    report = gallery.build(templates, out_dir, jobs=jobs, only=only, clean=clean, force=force, progress=sys.stderr)
    click.echo(report.summary(out_dir))
    return 0


COMMANDS = (list_command, gallery_command)
