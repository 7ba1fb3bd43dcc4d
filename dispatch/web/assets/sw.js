// The phone page's service worker: keeps the page shell for offline use, shows pushed tasks as
// notifications (even when the page is closed) and opens the task when one is tapped.
const CACHE = "gw-shell-v1";
const SHELL = [
  "/m/",
  "/static/gw/phone.js",
  "/static/gw/common.js",
  "/static/gw/style.css",
  "/m/manifest.webmanifest",
  "/m/icons/icon-192.png",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request, fallbackPath) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !fallbackPath) cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(fallbackPath || request);
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/evidence/")) return; // always live
  if (request.mode === "navigate" && url.pathname.startsWith("/m/")) {
    event.respondWith(networkFirst(request, "/m/"));
    return;
  }
  if (SHELL.includes(url.pathname)) event.respondWith(networkFirst(request));
});

self.addEventListener("push", (event) => {
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch (error) {
    payload = { body: event.data ? event.data.text() : "" };
  }
  const title = payload.title || "新任务";
  const options = {
    body: payload.body || "",
    tag: payload.case_id || "gw-task",
    renotify: true,
    icon: "/m/icons/icon-192.png",
    badge: "/m/icons/icon-192.png",
    lang: "zh-CN",
    data: { url: payload.url || "/m/", case_id: payload.case_id || null },
  };
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/m/", self.location.origin);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (new URL(client.url).pathname.startsWith("/m/") && "navigate" in client) {
          return client.navigate(target.href).then((opened) => (opened || client).focus());
        }
      }
      return self.clients.openWindow(target.href);
    }),
  );
});
