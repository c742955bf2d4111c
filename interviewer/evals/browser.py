"""Helpers for driving the app in a real browser, shared by the first-page bench and the browser test.

A free port, the health check, and what a page asked of other machines (read from headless Chromium's
network log).
"""

from __future__ import annotations

import json
import socket
import urllib.request
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


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(url: str) -> bool:
    """Return whether a Streamlit server at ``url`` answers its health check."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False
