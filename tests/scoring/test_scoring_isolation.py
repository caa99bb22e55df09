import subprocess
import sys

CHECK = """
import sys
import scoring
import scoring.engine, scoring.matching, scoring.metrics, scoring.report, scoring.rescoring
loaded = sorted(
    name for name in sys.modules
    if name.split(".")[0]
    in {"flask", "sqlalchemy", "app", "instructor", "werkzeug", "exercises", "nervaluate", "hypothesis"}
)
print(",".join(loaded))
"""


def test_importing_scoring_loads_no_web_or_database_module():
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
