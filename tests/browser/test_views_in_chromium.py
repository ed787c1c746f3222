"""The committed HTML views, opened from disk in headless Chromium: every widget drawn where its JSON says.

One browser session opens every view. Chromium starts with a fresh profile and no background
networking; the pages load nothing (no script, font or image), which the test checks too. The
overview of `dev` is saved as a screenshot under `artefacts/browser/` for a person to look at.
Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them); without them the test
is skipped, unless `REQUIRE_BROWSER=1` (set by `.ci/run`) makes that a failure.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.preview.runner import REPO_ROOT
from components.preview.views.widgets_html import COLUMN_PX, ROW_PX

DASHBOARDS = REPO_ROOT / "dashboards"
ARTEFACTS = REPO_ROOT / "artefacts" / "browser"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking")
MEASURE = """
const grid = document.querySelector('main.grid').getBoundingClientRect();
return [...document.querySelectorAll('section.widget')].map(section => {
  const box = section.getBoundingClientRect();
  const title = section.querySelector('.title');
  const chart = section.querySelector('svg.chart');
  const chartBox = chart ? chart.getBoundingClientRect() : null;
  return {index: Number(section.dataset.index), type: section.dataset.type,
          x: box.left - grid.left, y: box.top - grid.top, width: box.width, height: box.height,
          title: title ? title.textContent : null,
          titleShown: title ? title.getBoundingClientRect().height > 0 : null,
          chart: chartBox ? [chartBox.width, chartBox.height] : null,
          text: section.innerText.trim().length};
});
"""


def _views() -> list[Path]:
    return sorted(p for p in DASHBOARDS.glob("*/*.html") if p.name != "index.html")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver_path):
        message = "Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
                 "--window-size=1600,1200"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        yield driver
    finally:
        driver.quit()


def test_every_view_draws_every_widget_at_its_grid_position(browser) -> None:
    views = _views()
    assert {p.parent.name for p in views} == {"dev", "prod"} and len(views) >= 4
    for view in views:
        body = json.loads(view.with_suffix(".json").read_text())
        browser.get(view.as_uri())
        assert browser.execute_script("return document.readyState") == "complete"
        drawn = {w["index"]: w for w in browser.execute_script(MEASURE)}
        assert sorted(drawn) == list(range(len(body["widgets"]))), f"{view.name}: widgets missing"
        for index, widget in enumerate(body["widgets"]):
            got = drawn[index]
            where = f"{view.parent.name}/{view.name} widget {index}"
            expected = (widget["x"] * COLUMN_PX, widget["y"] * ROW_PX, widget["width"] * COLUMN_PX,
                        widget["height"] * ROW_PX)
            assert got["type"] == widget["type"], where
            assert (got["x"], got["y"], got["width"], got["height"]) == pytest.approx(expected, abs=0.5), where
            if "title" in widget["properties"]:
                assert got["title"] == widget["properties"]["title"] and got["titleShown"], where
            if widget["type"] == "metric":
                assert got["chart"] and got["chart"][0] > 100 and got["chart"][1] >= 60, where
            assert got["text"] > 0, f"{where} is empty"
        resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert resources == [], f"{view.name} loaded {resources}"
        errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == [], f"{view.name}: {errors}"


def test_each_index_links_to_every_view_and_report(browser) -> None:
    for stack in ("dev", "prod"):
        browser.get((DASHBOARDS / stack / "index.html").as_uri())
        hrefs = browser.execute_script("return [...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
        expected = {p.name for p in (DASHBOARDS / stack).iterdir() if p.suffix in (".html", ".json", ".md")}
        assert set(hrefs) == expected - {"index.html"}


def test_screenshot_of_the_overview(browser) -> None:
    browser.get((DASHBOARDS / "dev" / "platform-dev-overview.html").as_uri())
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1600, min(height + 120, 6000))
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / "platform-dev-overview.png"
    assert browser.save_screenshot(str(path))
    assert path.stat().st_size > 20_000 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
