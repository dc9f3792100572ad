"""Write the bundled "published" 2015 results of the example (examples/yongzhou/published/).

The two-years-running links (bottom_two_talk, bottom_two_reorganize) compare
a 2016 period with the same period of 2015, and read 2015 from published
results.  A bureau has those in its results store; a fresh checkout does not,
so the example ships them, clearly labelled, as a bureau would keep its
published 2015 figures.

How they are made (the source account gives neither 2015 data nor 2015
rules, so both are as synthetic as the data itself): the 2015 rows of this
folder are evaluated with rules/yongzhou read as the 2015 rule set (the same
files with `year: 2015`; the second-quarter revision, effective 2016-04-01,
is not yet in force, so all of 2015 is assessed on the 4.0 set before it).
Each file keeps what a link reads of a result: id, kind, group, total, base,
rank, grade, vetoes and indicator scores.  ``tests/test_links.py`` checks
that running this script again gives the same files byte for byte.

Run: python examples/yongzhou/publish_2015.py   (rewrites published/*.json)
"""

from __future__ import annotations

import io
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LABELS = ["2015Q1", "2015Q2", "2015Q3", "2015Q1..2015Q2", "2015Q1..2015Q3", "2015"]
NOTE = (
    "随示例附带的 2015 年已发布结果（合成数据）：由 examples/yongzhou/publish_2015.py 用本目录"
    "的 2015 年数据和 rules/yongzhou（按 2015 年度读取，第二季度修订尚未生效）计算。"
    " Bundled published 2015 results of the example (synthetic, like the data): computed by "
    "examples/yongzhou/publish_2015.py from this folder's 2015 rows with rules/yongzhou read "
    "as the 2015 rule set (year: 2015; the 2016-04-01 revision not yet in force)."
)
KEPT = ("id", "kind", "group", "total", "base", "rank", "grade", "vetoes")


def published(label: str, rules: Path, data: Path) -> str:
    """One label's results as the bundled file's text."""
    sys.path.insert(0, str(ROOT))
    from runtime import cli  # the project, from this checkout

    out, err = io.StringIO(), io.StringIO()
    argv = ["--lang", "en", "evaluate", str(rules), "--data", str(data), "--period", label]
    code = cli.main([*argv, "--format", "json"], stdout=out, stderr=err)
    if code != 0:
        raise SystemExit(f"{label}: {err.getvalue()}")
    document = json.loads(out.getvalue())
    subjects = [
        {
            **{key: subject.get(key) for key in KEPT},
            "indicators": [
                {"id": i["id"], "score": i["score"], "points": i["points"]}
                for i in subject["indicators"]
            ],
        }
        for subject in document["subjects"]
    ]
    head = {
        "note": NOTE,
        "scheme": document["scheme"],
        "version": document["version"],
        "period": document["period"],
    }
    lines = [
        f" {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)},"
        for k, v in head.items()
    ]
    rows = ",\n".join("  " + json.dumps(s, ensure_ascii=False) for s in subjects)
    return "{\n" + "\n".join(lines) + '\n "subjects": [\n' + rows + "\n ]\n}\n"


def write_all(target: Path, data: Path = HERE) -> None:
    """Every bundled file, into ``target``."""
    with tempfile.TemporaryDirectory() as folder:
        rules = Path(folder) / "rules-2015"
        shutil.copytree(ROOT / "rules" / "yongzhou", rules)
        manifest = rules / "ruleset.yaml"
        text = manifest.read_text(encoding="utf-8")
        assert "year: 2016" in text
        manifest.write_text(text.replace("year: 2016", "year: 2015"), encoding="utf-8")
        target.mkdir(parents=True, exist_ok=True)
        for label in LABELS:
            (target / f"{label}.json").write_text(published(label, rules, data), encoding="utf-8")


if __name__ == "__main__":
    write_all(HERE / "published")
