"""The FFIT domain modules must import without Django, so they stay plain Python that anything can call."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_ffit_modules_import_without_django():
    code = "import sys, ffit.scoring, ffit.questionnaire, ffit.guidance; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
