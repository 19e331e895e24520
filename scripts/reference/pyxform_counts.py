#!/usr/bin/env python3
"""What pyxform (the reference XLSForm converter) reads from every form in ../shared/data.

Writes crates/sigida-xlsform/tests/reference/pyxform-counts.json, which the Rust tests compare
with Sigida's reader. Regenerate with:  pip install pyxform==4.5.0 && python3 scripts/reference/pyxform_counts.py

Counts, per file:
- questions: every survey element that is not a group, repeat or loop, including the
  "<name>_other" text question pyxform adds for `or_other`, excluding the instanceID (and
  instanceName, and the entity of an entities sheet) pyxform generates in its "meta" group;
- choices: the options of every list pyxform keeps (with the "other" option `or_other` adds);
- or the error pyxform gives, for the forms it rejects.
"""
import glob
import json
import os
import sys
import warnings

warnings.filterwarnings("ignore")
import pyxform  # noqa: E402
from pyxform.xls2json import parse_file_to_json  # noqa: E402
from pyxform.xls2xform import convert  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "../../../shared/data"))
FOLDERS = ["pyxform", "kobocat", "reach-msna-2024", "reach-iraq-cleaningtools", "reach-analysistools"]
OUT = os.path.join(os.path.dirname(__file__), "../../crates/sigida-xlsform/tests/reference/pyxform-counts.json")


def questions(node):
    total = 0
    for child in node.get("children", []):
        kind = child.get("type")
        if kind == "group" and child.get("name") == "meta" and child.get("control", {}).get("bodyless"):
            # pyxform's own meta group: instanceID (and instanceName from the settings) are
            # generated; rows of the form it moves there (audit) are counted.
            total += sum(1 for m in child.get("children", []) if m.get("name") not in ("instanceID", "instanceName", "entity"))
            continue
        if kind in ("group", "repeat", "loop"):
            total += questions(child)
        else:
            total += 1
    return total


def main():
    files = []
    for folder in FOLDERS:
        for ext in ("xls", "xlsx", "xlsm", "csv"):
            files += glob.glob(os.path.join(ROOT, folder, "**", f"*.{ext}"), recursive=True)
    results = {}
    for path in sorted(files):
        rel = os.path.relpath(path, ROOT)
        if path.endswith(".csv"):
            # Only pyxform's own CSV form fixtures are forms; data exports are not.
            with open(path, encoding="utf-8", errors="replace") as f:
                if not f.readline().lower().startswith(('"survey"', "survey")):
                    continue
        try:
            # Accepted means converted to an XForm, as ODK and Kobo would use it.
            convert(xlsform=path, validate=False)
            form = parse_file_to_json(path)
        except Exception as e:  # pyxform raises many kinds
            message = str(e)
            if "You must have a sheet named 'survey'" in message:
                continue  # not a form at all (data exports, lists of analyses)
            results[rel] = {"accepted": False, "error": message.splitlines()[0][:300]}
            continue
        # The `choices` sheet's lists (external_choices are kept apart by pyxform).
        choices = form.get("choices", {})
        results[rel] = {
            "accepted": True,
            "questions": questions(form),
            "choices": sum(len(v) for v in choices.values()),
        }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"pyxform": pyxform.__version__, "files": results}, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")
    accepted = sum(1 for r in results.values() if r["accepted"])
    print(f"{len(results)} forms, {accepted} accepted by pyxform {pyxform.__version__} -> {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
