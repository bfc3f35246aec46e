"""Debian's Chromium driven by Playwright for Python, with request and console recording.

Never `playwright install`: the browser is the system's (`.ci/run` installs the `chromium`
package when it is missing).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, BrowserContext, Page, Route, async_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})

# Every form control must have an accessible name: a <label for>, a wrapping label, or aria.
UNLABELLED_JS = """
() => Array.from(document.querySelectorAll('input, select, textarea, button'))
  .filter(el => el.type !== 'hidden')
  .filter(el => {
    if (el.tagName === 'BUTTON') return !(el.innerText || el.getAttribute('aria-label') || '').trim();
    if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
    if (el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]')) return false;
    return !el.closest('label');
  })
  .map(el => el.outerHTML.slice(0, 120))
"""


class Recorder:
    """What a browser context asked for and complained about."""

    def __init__(self) -> None:
        self.hosts: set[str] = set()
        self.external: list[str] = []
        self.console_errors: list[str] = []

    async def route(self, route: Route) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if url.startswith(("data:", "blob:")):
            await route.continue_()
            return
        self.hosts.add(host)
        if host not in LOCAL_HOSTS:
            self.external.append(url)
            await route.abort()
            return
        await route.continue_()

    def watch(self, page: Page) -> Page:
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        return page


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@contextlib.asynccontextmanager
async def recorded_context(browser: Browser, **options: Any) -> AsyncIterator[tuple[BrowserContext, Recorder]]:
    recorder = Recorder()
    context = await browser.new_context(viewport=options.pop("viewport", DESKTOP), **options)
    await context.route("**/*", recorder.route)
    context.on("page", recorder.watch)
    try:
        yield context, recorder
    finally:
        await context.close()


async def sign_in(page: Page, base_url: str, key: str) -> None:
    await page.goto(f"{base_url}/console/")
    await page.get_by_label("API key").fill(key)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{base_url}/console/my-tools")


async def unlabelled(page: Page) -> list[str]:
    return list(await page.evaluate(UNLABELLED_JS))


# WCAG 2 contrast of every visible text against its nearest opaque background: 4.5:1, or 3:1
# for large text (24 px, or 18.66 px bold). Returns the failures.
LOW_CONTRAST_JS = """
() => {
  const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const failures = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || !el.offsetParent && el.tagName !== 'BODY') continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || el.closest('.vh, .skip, option')) continue;
    const fg = lum(parse(style.color).slice(0, 3)), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) failures.push(`${ratio.toFixed(2)} ${el.tagName} "${node.textContent.trim().slice(0, 40)}"`);
  }
  return failures;
}
"""


async def low_contrast(page: Page) -> list[str]:
    return list(await page.evaluate(LOW_CONTRAST_JS))
