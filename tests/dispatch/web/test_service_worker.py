"""The phone page as an installable PWA in real headless Chromium (a persistent profile: Chrome has no Push
API in incognito contexts): the service worker takes /m/, keeps the shell for offline use, and shows a pushed
task as a notification whose data carries the task's URL.

PushManager.subscribe itself cannot succeed here: Chromium's push service (FCM) is out of reach offline, so
the subscription path is tested through the API with subscriptions built in the tests
(``test_push_subscriptions.py``); the push event is delivered to the worker with the DevTools protocol
(``ServiceWorker.deliverPushMessage``), as a push service would after decrypting nothing more than this.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dispatch.push.webpush import push_payload
from tests.dispatch.core.flows import WORKER
from tests.dispatch.core.harness import SHANGHAI
from tests.dispatch.push.samples import notice
from tests.dispatch.web.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.dispatch.web.live_site import LiveSite, wait_js

pytestmark = [pytest.mark.integration]


@pytest.fixture
def profile(live: LiveSite, tmp_path: Path) -> Any:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, locale="zh-CN"
        )
        context.set_default_timeout(10_000)
        try:
            yield context
        finally:
            context.close()


def _registration_id(cdp: Any, page: Any) -> str:
    found: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: found.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        live = [r for r in found if not r["isDeleted"] and r["scopeURL"].endswith("/m/")]
        if live:
            return str(live[0]["registrationId"])  # the domain stays enabled on this session
        page.wait_for_timeout(100)
    raise AssertionError(f"no service worker registration for /m/ among {found}")


def test_service_worker_shows_a_pushed_task_and_keeps_the_shell_offline(live: LiveSite, profile: Any) -> None:
    profile.grant_permissions(["notifications"], origin=live.base_url)
    page = profile.new_page()
    page.goto(live.url("/m/", WORKER))
    page.wait_for_selector("#no-tasks")
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{live.base_url}/m/"
    manifest = page.evaluate("fetch('/m/manifest.webmanifest').then(r => r.json())")
    assert (manifest["start_url"], manifest["scope"], manifest["display"], manifest["lang"]) == (
        "/m/",
        "/m/",
        "standalone",
        "zh-CN",
    )
    sizes = page.evaluate(
        """icons => Promise.all(icons.map(icon => new Promise((done, fail) => {
               const img = new Image(); img.onload = () => done([icon.sizes, img.naturalWidth]);
               img.onerror = fail; img.src = icon.src; })))""",
        manifest["icons"],
    )
    assert {(declared, f"{width}x{width}") for declared, width in sizes} == {
        ("192x192", "192x192"),
        ("512x512", "512x512"),
    }

    payload = push_payload(notice(), SHANGHAI).decode("utf-8")
    cdp = profile.new_cdp_session(page)
    registration_id = _registration_id(cdp, page)
    notifications = (
        "navigator.serviceWorker.ready.then(r => r.getNotifications())"
        ".then(ns => ns.map(n => ({title: n.title, body: n.body, tag: n.tag, data: n.data})))"
        ".then(ns => ns.length ? ns : null)"
    )
    shown: object = None
    for _ in range(3):  # DevTools may hand the push to a worker Chrome is still waking: deliver it again
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": live.base_url, "registrationId": registration_id, "data": payload},
        )
        try:
            shown = wait_js(page, notifications, timeout_s=4.0)
            break
        except AssertionError:
            continue
    assert shown == [
        {
            "title": "新任务：非机动车乱停放",
            "body": json.loads(payload)["body"],
            "tag": "C-20250512-0007",
            "data": {"url": "https://gw.example.org/m/cases/C-20250512-0007", "case_id": "C-20250512-0007"},
        }
    ]

    profile.set_offline(True)
    page.reload()
    page.wait_for_selector("p.error")  # the cached shell runs and says the server is out of reach
    assert "无法连接服务器" in page.inner_text("p.error")
    assert page.evaluate("document.querySelector('link[rel=manifest]').getAttribute('href')") == (
        "/m/manifest.webmanifest"
    )
