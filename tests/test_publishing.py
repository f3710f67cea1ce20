"""The GitHub Pages workflow builds strictly, with the history the dates need, and deploys site/."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def test_the_pages_workflow_builds_strictly_and_deploys_the_site() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/pages.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # shallow clones would date every note by its last commit
    commands = [s["run"] for s in steps if "run" in s]
    assert 'llmnotes build --strict --base-url "${{ steps.pages.outputs.base_url }}"' in commands
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "site"
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_the_pages_workflow_starts_from_the_last_builds_cache() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/pages.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    at_cache = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/cache@"))
    at_build = next(i for i, s in enumerate(steps) if "llmnotes build" in s.get("run", ""))
    assert at_cache < at_build  # restored before the build; actions/cache saves it after the job
    cache = steps[at_cache]["with"]
    assert cache["path"] == ".llmnotes-cache"
    # every run saves its own entry, and the next run restores the newest one of the same OS and Python
    assert cache["key"] == cache["restore-keys"] + "${{ github.sha }}"
    assert "runner.os" in cache["key"] and "python-version" in cache["key"]


def test_the_pre_commit_hook_runs_wherever_the_notes_are() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["entry"] == "llmnotes check" and hook["pass_filenames"] is False
    # notes_dir may be anything (docs/, the repository itself), and a deleted note breaks links in notes the commit
    # does not touch: only a hook that always runs sees both
    assert hook.get("always_run") is True and "files" not in hook
