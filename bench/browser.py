"""What the browser parts (start-up, sync) share: a production server with seeded
content, and Debian Chromium through Playwright."""

import os

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# Records performance.now() (ms since navigation start) when the first question shows:
# clicks "Start the check" the moment it appears, as a person would, without the test
# runner's polling delay in the figure.
FIRST_QUESTION_PROBE = """
window.__firstQuestion = new Promise((resolve) => {
  const visible = (el) => el && !el.hidden && el.offsetParent !== null;
  const check = () => {
    const begin = document.getElementById("check-begin");
    if (visible(begin) && !window.__clicked) { window.__clicked = performance.now(); begin.click(); }
    const heading = document.getElementById("question-heading");
    if (visible(heading) && heading.textContent.trim()) { resolve(performance.now()); return true; }
    return false;
  };
  const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
  observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
});
"""


def wait_controlled(page) -> None:
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30000)
