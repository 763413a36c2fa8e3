"""A real Streamlit server on 127.0.0.1 and Debian's Chromium driven by Playwright.

Without Chromium the browser tests skip with the reason, except under ``CI=true`` where a missing
browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _missing(why: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {why}: install it (apt-get install -y chromium)")
    pytest.skip(f"{why}; install Debian's chromium to run the browser tests")


@pytest.fixture(scope="session")
def streamlit_url(tmp_path_factory):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    env = {**os.environ, "RECOVERY_SCENARIOS_DIR": str(tmp_path_factory.mktemp("scen"))}
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
           "--server.address", "127.0.0.1", "--server.port", str(port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", "--global.developmentMode", "false"]  # fmt: skip
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:  # noqa: S310
                    if r.read() == b"ok":
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("streamlit did not become healthy in 30 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield b
        b.close()


def wait_idle(page, timeout: float = 120_000) -> None:
    """Wait until the script run triggered by the last interaction has finished."""
    page.wait_for_timeout(150)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout
    )
    page.locator("[data-testid='stSkeleton']").first.wait_for(state="detached", timeout=timeout)


@pytest.fixture
def idle():
    return wait_idle
