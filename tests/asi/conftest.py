"""Running the PyAuroraX / pyucalgarysrs reference scripts next to this folder's tests."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def ucalgary_reference():
    """Call ``ucalgary_reference("script.py", *args)``: the script's last stdout line as JSON.

    The script runs in the interpreter named by ``GEOSPACEXR_REF_UCALGARY`` (one with pyaurorax
    and pyucalgarysrs); the test using this fixture skips without it.
    """
    python = os.environ.get("GEOSPACEXR_REF_UCALGARY")
    if not python:
        pytest.skip("set GEOSPACEXR_REF_UCALGARY to compare live")

    def run(script: str, *args: str):
        out = subprocess.run(
            [python, str(Path(__file__).with_name(script)), *map(str, args)],
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    return run
