"""What a page asked of other machines, read from headless Chromium's network log (for benches and tests)."""

from __future__ import annotations

import json
from typing import Any

LOCAL = ("data:", "blob:", "about:", "ws://127.0.0.1", "ws://localhost", "chrome")


def off_machine_requests(driver: Any, app_url: str) -> list[str]:
    """Return the URLs requested that are neither the app's own nor local; needs the performance log enabled."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            url = str(message["params"]["request"]["url"])
            if not url.startswith((app_url, *LOCAL)):
                urls.append(url)
    return urls
