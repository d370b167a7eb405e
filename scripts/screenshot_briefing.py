"""Take a headless Chromium screenshot of the briefing page, to check that it renders.

    python scripts/screenshot_briefing.py figures/2024/briefing_2024.html -o briefing_2024.png

Exit codes: 0 screenshot written, 2 no Chromium found (install one: ``apt-get install chromium``
on Debian/Ubuntu, or Google Chrome) or the page does not exist, 1 Chromium failed.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars")
TIMEOUT_S = 120


def find_browser() -> str | None:
    """Path of the first Chromium-like browser on PATH (``$CHROMIUM`` first), or None."""
    for name in (os.environ.get("CHROMIUM", ""), *BROWSERS):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def screenshot_command(browser: str, page: Path, output: Path, profile: Path,
                       width: int, height: int) -> list[str]:
    """The Chromium command line that writes ``output`` from ``page``."""
    return [browser, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
            f"--screenshot={output}", page.resolve().as_uri()]


def take_screenshot(page: Path, output: Path, width: int = 1200, height: int = 3000) -> int:
    """Write the screenshot; the exit code (see the module docstring)."""
    browser = find_browser()
    if browser is None:
        print("找不到 Chromium 浏览器，无法截图。请安装：apt-get install chromium（Debian/Ubuntu）"
              "或安装 Google Chrome，也可用环境变量 CHROMIUM 指定浏览器路径。", file=sys.stderr)
        return 2
    if not page.is_file():
        print(f"找不到网页文件：{page}（请先运行 jrc briefing）", file=sys.stderr)
        return 2
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jrc-chromium-") as profile:
        command = screenshot_command(browser, page, output.resolve(), Path(profile), width, height)
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            print(f"Chromium 超过 {TIMEOUT_S} 秒未完成截图。", file=sys.stderr)
            return 1
    if done.returncode != 0 or not output.is_file():
        print(f"Chromium 截图失败（返回码 {done.returncode}）：{done.stderr.strip()[-500:]}",
              file=sys.stderr)
        return 1
    print(f"已截图：{output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="用无头 Chromium 给通报网页截图，检查网页能正常显示")
    parser.add_argument("page", type=Path, help="briefing_Y.html")
    parser.add_argument("-o", "--output", type=Path, default=None, help="截图文件（默认：网页同名 .png）")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=3000)
    args = parser.parse_args(argv)
    output = args.output or args.page.with_suffix(".screenshot.png")
    return take_screenshot(args.page, output, args.width, args.height)


if __name__ == "__main__":
    sys.exit(main())
