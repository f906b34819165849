"""axe-core (bundled by axe-playwright-python) in the browser tests.

`accessibility_problems(page, paths)` opens each path in the signed-in page and runs axe on it;
the `assert_accessible` fixture (tests/e2e/conftest.py) fails the test on what it returns. A
new screen is checked by adding its path to a list (tests/e2e/test_accessibility.py).
"""

from collections.abc import Iterable

from axe_playwright_python.sync_playwright import Axe

# What fails a test; "moderate" and "minor" findings are left to review.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
SHOWN_NODES = 5
# A table's rows after the first few repeat their markup; checking each (colour contrast above
# all) would take most of the time on a list, and find nothing new.
CONTEXT = {"exclude": [["tbody tr:nth-child(n+6)"]]}

_axe = Axe()


def axe_violations(page, *, impacts: frozenset[str] = BLOCKING_IMPACTS) -> list[str]:
    """The page's axe violations of these impacts as it stands now, one line each: the rule,
    its impact, what it asks for and the first elements that break it."""
    found = []
    for violation in _axe.run(page, context=CONTEXT).response["violations"]:
        if violation["impact"] not in impacts:
            continue
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:SHOWN_NODES])
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return found


def accessibility_problems(page, paths: Iterable[str]) -> list[str]:
    """Open each path and list its blocking violations (and a page that did not open)."""
    problems = []
    for path in paths:
        response = page.goto(path)
        if response is None or response.status >= 400:
            problems.append(f"{path}: answered {response.status if response else 'nothing'}")
            continue
        problems += [f"{path}: {line}" for line in axe_violations(page)]
    return problems
