// Sotong's pages work without this file; it adds what only a script can: times in the
// reader's own time zone, live notifications over the same streaming API that clients use,
// live results while searching, photo previews, and the offline notice of the installed app.

const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const lang = document.documentElement.lang || "ko";

function announce(text) {
  const live = document.getElementById("live");
  if (live) live.textContent = text;
}

function localTimes(root = document) {
  const format = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  for (const time of root.querySelectorAll("time[datetime]")) {
    const at = new Date(time.getAttribute("datetime"));
    if (!Number.isNaN(at.getTime())) time.textContent = format.format(at);
  }
}

function bumpBell(note) {
  const badge = document.getElementById("unread");
  if (badge) {
    badge.textContent = String((Number.parseInt(badge.textContent, 10) || 0) + 1);
    badge.hidden = false;
  }
  const message = note?.sotong?.message ?? "";
  announce(message);
  const list = document.getElementById("notification-list");
  if (list) {
    document.getElementById("no-notifications")?.remove();
    const item = document.createElement("li");
    item.className = "fresh";
    const link = document.createElement("a");
    const status = note?.status;
    link.href = status ? `/@${status.account.acct}/${status.id}` : "/notifications";
    link.textContent = message;
    item.append(link);
    list.prepend(item);
  }
}

// Notifications and new posts of the home timeline arrive on Mastodon's `user` stream; the
// page's own session cookie authenticates it (the server takes it only from a page of this
// site). New posts are announced, not pushed into the page under the reader's eyes.
function liveNotifications() {
  if (!document.body.dataset.signedIn) return;
  let wait = 1000;
  const open = () => {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/api/v1/streaming?stream=user`);
    socket.addEventListener("open", () => { wait = 1000; document.body.dataset.live = "1"; });
    socket.addEventListener("message", (event) => {
      try {
        const frame = JSON.parse(event.data);
        if (frame.event === "notification") bumpBell(JSON.parse(frame.payload));
        if (frame.event === "update") document.getElementById("fresh")?.removeAttribute("hidden");
      } catch { /* a frame we do not know */ }
    });
    socket.addEventListener("close", () => {
      delete document.body.dataset.live;
      setTimeout(open, wait);
      wait = Math.min(wait * 2, 30000);
    });
  };
  open();
}

function liveSearch() {
  const form = document.querySelector("form[data-live-search]");
  const results = document.getElementById("results");
  if (!form || !results) return;
  const input = form.querySelector('input[name="q"]');
  let timer;
  let asked = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value;
      const mine = ++asked;
      const response = await fetch(`/search?fragment=1&q=${encodeURIComponent(q)}`, { credentials: "same-origin" });
      if (!response.ok || mine !== asked) return;
      results.innerHTML = await response.text();
      history.replaceState(null, "", `/search?q=${encodeURIComponent(q)}`);
    }, 200);
  });
}

function photoPreviews() {
  const input = document.getElementById("photos");
  const box = document.getElementById("previews");
  if (!input || !box) return;
  const max = Number.parseInt(input.dataset.max ?? "4", 10);
  input.addEventListener("change", () => {
    box.replaceChildren();
    if (input.files.length > max) {
      input.setCustomValidity(input.dataset.tooMany ?? `max ${max}`);
      input.reportValidity();
      return;
    }
    input.setCustomValidity("");
    for (const file of input.files) {
      const img = document.createElement("img");
      img.src = URL.createObjectURL(file);
      img.alt = file.name;
      img.onload = () => URL.revokeObjectURL(img.src);
      box.append(img);
    }
  });
}

function offlineNotice() {
  const notice = document.getElementById("offline");
  const show = () => { if (notice) notice.hidden = navigator.onLine; };
  addEventListener("online", show);
  addEventListener("offline", show);
  show();
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
}

// A page that is still working (an import) refreshes its part in place until it is done.
function refreshWhileWorking() {
  const busy = document.querySelector("[data-refresh]");
  if (!busy) return;
  setTimeout(async () => {
    const response = await fetch(location.href, { credentials: "same-origin" });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById(busy.id);
    if (fresh) busy.replaceWith(fresh);
    refreshWhileWorking();
  }, Number.parseInt(busy.dataset.refresh, 10) || 500);
}

// Large uploads (a CSV of every member of staff) show how far they have gone.
function uploadProgress() {
  for (const form of document.querySelectorAll("form[data-upload-progress]")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const bar = form.querySelector("progress");
      const button = form.querySelector("button[type=submit]");
      bar.hidden = false;
      button.disabled = true;
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      request.addEventListener("load", () => {
        if (request.status < 400) {
          location.assign(request.responseURL);
        } else {
          document.open();
          document.write(request.responseText);
          document.close();
        }
      });
      request.addEventListener("error", () => { button.disabled = false; bar.hidden = true; });
      request.send(new FormData(form));
    });
  }
}

// A complaint's place from the browser, when the resident asks: the button shows only where
// the browser can locate, and fills the hidden latitude and longitude.
function locate() {
  const button = document.querySelector("[data-locate]");
  if (!button || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    navigator.geolocation.getCurrentPosition((position) => {
      document.getElementById("latitude").value = position.coords.latitude.toFixed(6);
      document.getElementById("longitude").value = position.coords.longitude.toFixed(6);
      const told = document.getElementById("located");
      told.textContent = `${position.coords.latitude.toFixed(5)}, ${position.coords.longitude.toFixed(5)}`;
      announce(told.textContent);
    });
  });
}

// The tab of the part of the site this page belongs to says so (to screen readers too).
function currentTab() {
  const path = location.pathname;
  let best = null;
  for (const tab of document.querySelectorAll("nav.tabs a")) {
    const href = tab.getAttribute("href");
    const match = href === "/" ? path === "/" : path === href || path.startsWith(`${href}/`);
    if (match && (!best || href.length > best.getAttribute("href").length)) best = tab;
  }
  best?.setAttribute("aria-current", "page");
}

export { csrf, announce, localTimes };

localTimes();
currentTab();
liveNotifications();
liveSearch();
photoPreviews();
offlineNotice();
refreshWhileWorking();
uploadProgress();
locate();
