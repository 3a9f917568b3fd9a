"""The command line surface every later command builds on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from lambdaslim import __version__
from lambdaslim.cli import main


def test_version_is_the_package_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_lists_every_subcommand() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("analyze", "rewrite", "verify", "rules"):
        assert command in result.output


def test_help_does_not_import_heavy_machinery() -> None:
    """`lambdaslim --help` must start fast: no moto, no cfn-lint, no verify engine."""
    code = (
        "import sys\n"
        "from lambdaslim.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'moto', 'cfnlint', 'libcst'}"
        " or m.startswith('lambdaslim.verify'))\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == "HEAVY="


def test_analyze_of_one_function_does_not_import_heavy_machinery() -> None:
    handler = Path(__file__).parent / "fixtures" / "apps" / "lone_handler" / "forward_event.py"
    code = (
        "import sys\n"
        "from lambdaslim.cli import main\n"
        "try:\n"
        f"    main(['analyze', {str(handler)!r}, '--format', 'json', '--no-cache'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'moto', 'cfnlint', "
        "'jsonata', 'airspeed'} or m.startswith('lambdaslim.verify'))\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert '"verdict": "replace"' in out.stdout
    assert out.stdout.splitlines()[-1] == "HEAVY="
