"""The documentation keeps up with the code: every setting and every API path is described."""

from pathlib import Path

from rapport.config import SETTINGS

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented():
    text = (ROOT / "docs" / "configuration.md").read_text()
    missing = [s.name for s in SETTINGS if f"| `{s.name}` |" not in text]
    assert missing == []


def test_every_api_path_is_in_the_api_reference(client):
    spec = client.get("/api/openapi.json").get_json()
    text = (ROOT / "docs" / "api.md").read_text()
    missing = []
    for path in spec["paths"]:
        shown = path.replace("{ref}", "<ref>").replace("{slug}", "<slug>")
        for name in ("note_id", "interaction_id", "tag", "run_id"):
            shown = shown.replace("{" + name + "}", f"<{name.removesuffix('_id')}>")
        if shown not in text:
            missing.append(path)
    assert missing == []


def test_readme_quick_start_is_the_two_commands():
    text = (ROOT / "README.md").read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line for line in quick.splitlines() if line.startswith("make ")]
    assert commands == ["make run", "make test"]
