"""Time to the first usable page: a freshly started ``streamlit run``, the first visit, headless Chromium.

Run with ``.venv/bin/python evals/bench_first_page.py [--runs N]`` (``make bench`` runs it too).

Each run prepares a data folder as ``make run`` does (``interviewer index``), starts the app on a
free loopback port, waits for its health endpoint (the server is up: that is when a user could
first open it), then opens the start page in headless Chromium and waits until the case picker and
the Start button are on screen. The figure is seconds from the first request to that moment. It
also lists every request the page made that did not go to the app itself (it must make none).
Needs Debian's ``chromium`` and ``chromium-driver``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from interviewer.evals.browser import free_port, healthy, off_machine_requests

REPO = Path(__file__).resolve().parent.parent
GOAL_S = 4.0
READY = "//button[contains(., 'Start the interview')]"


def _browser() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        raise SystemExit("needs chromium and chromium-driver: apt-get install -y chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=driver))


def one_run(data: Path) -> tuple[float, list[str]]:
    """Start a fresh server on a prepared data folder; return seconds to a usable page and stray requests."""
    from selenium.webdriver.common.by import By

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "INTERVIEWER_DATA_DIR": str(data)}
    command = [
        sys.executable, "-m", "streamlit", "run", str(REPO / "ui" / "app.py"),
        "--server.address=127.0.0.1", f"--server.port={port}", "--server.headless=true",
        "--server.fileWatcherType=none", "--browser.gatherUsageStats=false",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    driver = _browser()
    try:
        deadline = time.monotonic() + 60
        while not healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the app did not start")
            time.sleep(0.1)
        started = time.perf_counter()
        driver.get(url)
        while not driver.find_elements(By.XPATH, READY):
            if time.perf_counter() - started > 120:
                raise SystemExit("the start page never became usable")
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        time.sleep(1.0)  # let late requests (fonts, icons) show up in the log
        return elapsed, off_machine_requests(driver, url)
    finally:
        driver.quit()
        process.terminate()
        process.wait(timeout=20)


def main() -> None:
    """Measure and print the first-usable-page time."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        env = {**os.environ, "INTERVIEWER_DATA_DIR": str(data)}
        cli = str(Path(sys.executable).parent / "interviewer")
        subprocess.run([cli, "index"], env=env, cwd=REPO, check=True, capture_output=True)
        results = [one_run(data) for _ in range(args.runs)]
    times = [t for t, _ in results]
    stray = sorted({u for _, urls in results for u in urls})
    print(f"First usable page on a freshly started server (headless Chromium, {args.runs} runs):")  # noqa: T201
    print(f"  median {statistics.median(times):.2f} s, worst {max(times):.2f} s (goal <= {GOAL_S:g} s)")  # noqa: T201
    print(f"  requests off the machine: {len(stray)}" + ("".join(f"\n    {u}" for u in stray)))  # noqa: T201


if __name__ == "__main__":
    main()
