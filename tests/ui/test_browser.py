"""A real browser through a short interview: `streamlit run` in a subprocess, headless Chromium via Selenium.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them); without them the test
fails, unless ``INTERVIEWER_SKIP_BROWSER=1`` asks to skip it. Screenshots and the message-to-reply
timings land in ``test-artifacts/``; with ``INTERVIEWER_UPDATE_DOCS=1`` the screenshots are also
copied to ``docs/`` for the README.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from interviewer.evals.browser import free_port, healthy, off_machine_requests
from interviewer.settings import REPO_ROOT

pytestmark = [
    pytest.mark.browser,
    # The test talks to the app and to chromedriver on loopback only.
    pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$", r"localhost$", r"::1$"]),
]

APP = REPO_ROOT / "ui" / "app.py"
ARTIFACTS = REPO_ROOT / "test-artifacts"
DOWNLOADS = ARTIFACTS / "downloads"
DOCS = REPO_ROOT / "docs"
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)
CHAT = '[data-testid="stChatMessage"]'
TEXTAREA = '[data-testid="stChatInputTextArea"]'
MESSAGES = [
    "What is the latency budget, and how many requests per second do we serve at peak?",
    "Are there privacy rules, such as GDPR opt-outs, that limit which user data we can use?",
    "The auction multiplies the bid by the predicted click probability, so the model must output calibrated"
    " probabilities; revenue and user experience both depend on it.",
    "I would frame it as binary classification of each impression, labelled by a click within the attribution"
    " window, because the auction needs a probability rather than a ranking.",
]


def _tools() -> tuple[str, str]:
    if os.environ.get("INTERVIEWER_SKIP_BROWSER") == "1":
        pytest.skip("INTERVIEWER_SKIP_BROWSER=1")
    browser = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        pytest.fail(
            "the browser test needs Chromium and its driver: run"
            " `apt-get install -y chromium chromium-driver` (as .ci/run does),"
            " or set INTERVIEWER_SKIP_BROWSER=1 to skip this test explicitly"
        )
    return browser, driver


@pytest.fixture
def server(tmp_path: Path, built_data: Path) -> Iterator[str]:
    """Run the app with `streamlit run` on a free loopback port, on a data folder as `make run` prepares it."""
    shutil.copytree(built_data, tmp_path / "data")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "streamlit.log"
    env = {**os.environ, "INTERVIEWER_DATA_DIR": str(tmp_path / "data")}
    command = [
        sys.executable,
        *("-m", "streamlit", "run", str(APP)),
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--server.headless=true",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while not healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the app did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def browser() -> Iterator[Any]:
    """Start headless Chromium through chromedriver."""
    chromium, chromedriver = _tools()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(DOWNLOADS)})
    try:
        yield driver
    finally:
        # The last screen is kept as an artifact: the first thing to look at when the test fails.
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "browser-last.png"))
        driver.quit()


def _wait(check: Callable[[], Any], timeout: float = 30, what: str = "the page") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except Exception:  # elements go stale while Streamlit redraws; look again
            value = None
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _texts(driver: Any) -> list[str]:
    script = f"return Array.from(document.querySelectorAll('{CHAT}')).map(e => e.innerText.trim());"
    return list(driver.execute_script(script))


def _idle(driver: Any) -> bool:
    state = driver.execute_script(
        "return document.querySelector('[data-testid=\"stApp\"]').getAttribute('data-test-script-state');"
    )
    return state not in ("running", "rerunRequested")


def _button(driver: Any, label: str) -> Any:
    from selenium.webdriver.common.by import By

    for button in driver.find_elements(By.CSS_SELECTOR, "button"):
        # an icon renders as a ligature word on its own line before the label
        if label in button.text.splitlines() and button.is_displayed() and button.is_enabled():
            return button
    return None


def _click(driver: Any, label: str, timeout: float = 30) -> None:
    def click() -> bool:
        button = _button(driver, label)
        if button is None:
            return False
        # Centre it first: at the bottom of the page the pinned chat input would take the click.
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
        button.click()  # a stale or covered button raises, and _wait looks again
        return True

    _wait(click, timeout, what=f"the button {label!r}")


def _settle(driver: Any) -> None:
    """Wait until the script has finished its run (and the rerun that follows a turn)."""
    time.sleep(0.3)
    _wait(lambda: _idle(driver), what="the app to finish running")


def _send(driver: Any, text: str) -> float:
    """Type a message, press Enter and return the seconds until the interviewer's reply shows."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    before = len(_texts(driver))
    box = _wait(lambda: driver.find_element(By.CSS_SELECTOR, TEXTAREA), what="the chat input")
    box.send_keys(text)
    started = time.perf_counter()
    box.send_keys(Keys.ENTER)
    _wait(lambda: len(t := _texts(driver)) >= before + 2 and t[before + 1] != "", what="the interviewer's reply")
    elapsed = time.perf_counter() - started
    _settle(driver)
    return elapsed


def _control(driver: Any, label: str) -> None:
    before = len(_texts(driver))
    _click(driver, label)
    _wait(lambda: len(_texts(driver)) >= before + 2, what=f"the reply to {label!r}")
    _settle(driver)


def _shot(driver: Any, name: str, height: int) -> Path:
    driver.set_window_size(1400, height)
    time.sleep(0.5)
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    if os.environ.get("INTERVIEWER_UPDATE_DOCS") == "1":
        DOCS.mkdir(exist_ok=True)
        shutil.copyfile(path, DOCS / name)
    return path


def _sketch(driver: Any, text: str) -> None:
    """Open the sketch panel, type a pipeline and wait until it is drawn."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _wait(lambda: _expand(driver, "Design sketch"), what="the sketch panel")

    def shown_box() -> Any:
        boxes = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stTextArea"] textarea')
        return next((b for b in boxes if b.is_displayed() and b.is_enabled()), None)

    box = _wait(shown_box, what="the sketch box")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
    time.sleep(0.3)
    box.click()
    box.send_keys(text)
    box.send_keys(Keys.CONTROL, Keys.ENTER)
    _wait(lambda: driver.find_elements(By.CSS_SELECTOR, '[data-testid="stGraphVizChart"] svg'), what="the drawing")
    _settle(driver)


def _expand(driver: Any, label: str) -> bool:
    from selenium.webdriver.common.by import By

    for summary in driver.find_elements(By.CSS_SELECTOR, "summary"):
        if label in summary.text:
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", summary)
            summary.click()
            return True
    return False


def test_short_interview_in_a_real_browser(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    ARTIFACTS.mkdir(exist_ok=True)
    browser.get(server)
    _click(browser, "Start the interview", timeout=60)
    # Start waits for the engine still loading in the background after a fresh server start.
    _wait(lambda: browser.find_element(By.CSS_SELECTOR, TEXTAREA), timeout=120, what="the interview page")
    assert "session=" in browser.current_url
    _settle(browser)

    samples = [_send(browser, MESSAGES[0]), _send(browser, MESSAGES[1])]
    assert "50 ms" in _texts(browser)[2]
    _sketch(browser, "request -> candidate ads -> click model -> auction\nfeature store -> click model: user features")
    samples.append(_send(browser, MESSAGES[2]))  # sent with the sketch
    _wait(
        lambda: browser.find_elements(By.CSS_SELECTOR, f'{CHAT} [data-testid="stGraphVizChart"]'),
        what="the sent sketch",
    )
    _control(browser, "Hint")
    _control(browser, "Next step")
    samples.append(_send(browser, MESSAGES[3]))
    sidebar = browser.find_element(By.CSS_SELECTOR, '[data-testid="stSidebar"]').text
    assert "latency budget" in sidebar and "Hints taken: 1" in sidebar
    interview_png = _shot(browser, "interview.png", 1300)

    # Answer an earlier question again in a branch: the branch is not over the step's time.
    original = browser.current_url
    browser.set_window_size(1400, 1000)
    _click(browser, "Retry from here")
    _wait(lambda: browser.current_url != original, what="the branch")
    _settle(browser)
    _send(browser, MESSAGES[2])
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "over the suggested time" not in body and "at time" not in _texts(browser)[-1]
    browser.get(original)
    _settle(browser)

    _click(browser, "End interview")
    _click(browser, "End now")  # the confirmation
    _wait(lambda: _button(browser, "Open the debrief"), what="the end of the interview")
    _click(browser, "Open the debrief")
    _wait(lambda: "Recommendation" in browser.find_element(By.TAG_NAME, "body").text, what="the debrief")
    _wait(lambda: browser.find_elements(By.CSS_SELECTOR, '[data-testid="stVegaLiteChart"] canvas, svg.marks'))
    _settle(browser)
    assert "/debrief" in browser.current_url
    _wait(lambda: _expand(browser, "Model answer"), what="a model answer")
    _settle(browser)
    assert "not reached" in browser.find_element(By.TAG_NAME, "body").text
    debrief_png = _shot(browser, "debrief.png", 1500)

    for old in DOWNLOADS.glob("*"):
        old.unlink()
    _click(browser, "Download JSON")
    exported = _wait(lambda: next(DOWNLOADS.glob("*-transcript.json"), None), what="the transcript download")
    _wait(lambda: exported.stat().st_size > 0 and not list(DOWNLOADS.glob("*.crdownload")), what="the download")
    from interviewer.brain.offline import OfflineBrain
    from interviewer.export import read_transcript
    from interviewer.factory import knowledge
    from interviewer.grading import grade

    scored = grade(knowledge(REPO_ROOT / "knowledge"), OfflineBrain(), read_transcript(exported))
    shown = json.loads(exported.read_text(encoding="utf-8"))["debrief"]["overall"]["score"]
    assert scored.overall.score == shown
    assert off_machine_requests(browser, server) == []  # the app asks nothing of any other machine

    timings = {
        "what": "seconds from pressing Enter on a candidate message to the interviewer's reply appearing",
        "brain": "offline",
        "median_s": round(statistics.median(samples), 4),
        "samples_s": [round(s, 4) for s in samples],
    }
    (ARTIFACTS / "browser-timings.json").write_text(json.dumps(timings, indent=2) + "\n", encoding="utf-8")
    assert interview_png.stat().st_size > 10_000 and debrief_png.stat().st_size > 10_000
