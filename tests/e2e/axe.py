"""axe-core in the page, from the project's own node_modules (never a CDN)."""

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_results(page, rules: list[str] | None = None) -> dict:
    """axe's violations and the items it could not decide ("incomplete"), as
    {"violations": [(rule, nodes)], "incomplete": [(rule, nodes)]}."""
    if not AXE.exists():
        import pytest

        pytest.skip("axe-core is not installed: npm install")
    # Evaluated through the browser's debugging channel, which the page's
    # Content-Security-Policy (script-src 'self', no inline script) does not govern.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;void 0")
    options = {"resultTypes": ["violations", "incomplete"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    found = page.evaluate("options => axe.run(document, options)", options)
    return {
        kind: [(item["id"], len(item["nodes"])) for item in found[kind]]
        for kind in ("violations", "incomplete")
    }
