"""The SPC maths must import without Django, so it stays plain Python that anything can call."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_spc_imports_without_django():
    code = "import sys, runcharts.spc; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def test_spc_needs_only_the_standard_library():
    code = "import sys, runcharts.spc; assert not {'numpy', 'pandas'} & set(sys.modules), 'numpy or pandas imported'"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
