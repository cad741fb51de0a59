// A room page. A member joins an anonymous room the way docs/anonymity.md says, in this
// browser: the room's key is fetched, a random ticket blinded (RFC 9474, Cloudflare's
// library), the blinded ticket signed by the room over the page's session (the only request
// that says who asks), unblinded here, and from then on the member joins and speaks with the
// ticket alone: `credentials: "omit"` keeps the session cookie off every such request. The
// ticket stays in this browser (localStorage) so that the member keeps their pseudonym.
import { RSABSSA } from "/static/vendor/blindrsa.js";
import { csrf, localTimes } from "/static/app.js";

const root = document.getElementById("room");
const roomId = root?.dataset.room;
const api = `/api/v1/sotong/rooms/${roomId}`;
const storageKey = `sotong.ticket.${roomId}`;
const suite = () => RSABSSA.SHA384.PSS.Randomized();

function toBase64url(bytes) {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64url(text) {
  const plain = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(plain, (c) => c.charCodeAt(0));
}

async function call(path, { method = "GET", body, ticket, session = false, base = api } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (ticket) headers["Sotong-Ticket"] = ticket;
  if (session) headers["X-CSRF-Token"] = csrf;
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: session ? "same-origin" : "omit",
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.error ?? `${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

// Blinds a random message under one of the room's keys, has `sign` sign it, and unblinds the
// signature: the ticket (signed over the session) and a practice room's receipt (signed over
// the ticket) are made alike.
async function blindlySigned(keyPath, sign) {
  const key = await call(keyPath);
  const publicKey = await crypto.subtle.importKey(
    "spki", fromBase64url(key.public_key), { name: "RSA-PSS", hash: "SHA-384" }, true, ["verify"],
  );
  const prepared = suite().prepare(crypto.getRandomValues(new Uint8Array(32)));
  const { blindedMsg, inv } = await suite().blind(publicKey, prepared);
  const signed = await sign(toBase64url(blindedMsg));
  const signature = await suite().finalize(publicKey, prepared, fromBase64url(signed.blind_signature), inv);
  return { message: toBase64url(prepared), signature: toBase64url(signature) };
}

async function obtainTicket() {
  // The one request made as the signed-in account: it carries only the blinded ticket.
  const { message, signature } = await blindlySigned("/ticket_key", (blinded) => call("/tickets", {
    method: "POST", session: true, body: { blinded_message: blinded },
  }));
  return `${message}.${signature}`;
}

// In a training's practice room the task "say something anonymously" is checked with a
// receipt: once this participant has spoken, the room blindly signs a receipt (asked with the
// ticket alone) and this browser keeps it. The trainee's checklist page hands it in as the
// practice identity (static/practice.js), at a moment of the trainee's choosing that says
// nothing of when the word was said; blindness keeps the two requests apart, as with the
// ticket (docs/anonymity.md, "Practice rooms").
const practiceSpace = root?.dataset.practice;
const receiptKey = `sotong.receipt.${roomId}`;
let receiptAsked = false;

async function takeReceipt(ticket) {
  if (!practiceSpace || receiptAsked || localStorage.getItem(receiptKey)) return;
  receiptAsked = true;
  try {
    const receipt = await blindlySigned("/receipt_key", (blinded) => call("/receipts", {
      method: "POST", ticket, body: { blinded_message: blinded },
    }));
    // Kept until the checklist hands it in: the room gives each participant one receipt.
    localStorage.setItem(receiptKey, JSON.stringify(receipt));
    root.dataset.receipt = "taken";
    document.getElementById("receipt-taken")?.removeAttribute("hidden");
  } catch (error) {
    // Taken before (409) stays taken; anything else may be tried again with the next word.
    if (error.status !== 409) receiptAsked = false;
    showError(error.message);
  }
}

function showError(text) {
  const box = document.getElementById("room-error");
  box.textContent = `${root.dataset.failed} ${text}`;
  box.hidden = false;
}

function render(message) {
  const list = document.getElementById("messages");
  if (document.getElementById(`message-${message.id}`)) return;
  const item = document.createElement("li");
  item.id = `message-${message.id}`;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = message.participant?.display_name ?? "";
  const time = document.createElement("time");
  time.setAttribute("datetime", message.created_at);
  const body = document.createElement("p");
  body.textContent = message.hidden ? root.dataset.hidden : message.body;
  item.append(who, " ", time, body);
  list.append(item);
  localTimes(item);
  list.scrollTop = list.scrollHeight;
}

function openStream(ticket, lastId) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}${api}/stream`);
  let last = lastId;
  socket.addEventListener("open", () => {
    socket.send(JSON.stringify({ type: "hello", ticket, ...(last ? { since: last } : {}) }));
  });
  socket.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type === "welcome" || frame.type === "room") {
      document.getElementById("waiting").hidden = frame.room.visible !== false;
      root.dataset.connected = "1";
    } else if (frame.type === "message" || frame.type === "sent" || frame.type === "hidden") {
      if (frame.type === "sent") takeReceipt(ticket);
      if (frame.type === "hidden") document.getElementById(`message-${frame.message.id}`)?.remove();
      render(frame.message);
      last = frame.message.id;
    } else if (frame.type === "error") {
      showError(frame.error);
    }
  });
  socket.addEventListener("close", () => {
    delete root.dataset.connected;
    setTimeout(() => { stream = openStream(ticket, last); }, 2000);
  });
  return socket;
}

let stream;

async function enter(ticket) {
  const [message, signature] = ticket.split(".");
  const joined = await call("/join", { method: "POST", body: { ticket: { message, signature } } });
  document.getElementById("pseudonym").textContent = joined.participant.display_name;
  document.getElementById("join-panel").hidden = true;
  document.getElementById("chat").hidden = false;
  document.getElementById("waiting").hidden = joined.room.visible !== false;
  const history = await call("/messages?limit=50", { ticket });
  history.reverse().forEach(render);
  stream = openStream(ticket, history.at(-1)?.id);
  // A suggestion raised here goes with the ticket alone: it keeps the pseudonym, not the name.
  document.getElementById("raise").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const field = (name) => form.elements.namedItem(name).value;
    try {
      const made = await call("", {
        base: "/api/v1/sotong/suggestions",
        method: "POST",
        ticket,
        body: {
          title: field("title"), body: field("body"), category: field("category"), room_id: roomId,
          ...(form.dataset.department ? { assigned_department_id: form.dataset.department } : {}),
        },
      });
      form.reset();
      const done = document.getElementById("raised");
      done.querySelector("a").href = `/suggestions/${made.id}`;
      done.hidden = false;
    } catch (error) {
      showError(error.message);
    }
  });
  document.getElementById("say").addEventListener("submit", (event) => {
    event.preventDefault();
    const field = document.getElementById("body");
    const body = field.value.trim();
    if (!body || stream.readyState !== WebSocket.OPEN) return;
    stream.send(JSON.stringify({ type: "send", body }));
    field.value = "";
  });
}

// The host's page is rendered with its messages; new ones refresh the list in place.
function hostLive() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}${api}/stream?session=1`);
  socket.addEventListener("message", async (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type === "welcome") root.dataset.connected = "1";
    if (!["message", "sent", "hidden"].includes(frame.type)) return;
    const page = await fetch(location.pathname, { credentials: "same-origin" });
    const fresh = new DOMParser().parseFromString(await page.text(), "text/html").getElementById("host-messages");
    const open = document.activeElement?.closest("#host-messages");
    if (fresh && !open) {
      document.getElementById("host-messages").replaceWith(fresh);
      localTimes(fresh);
    }
  });
  socket.addEventListener("close", () => { delete root.dataset.connected; setTimeout(hostLive, 2000); });
}

if (root?.dataset.hosting) {
  hostLive();
} else if (document.getElementById("join")) {
  const kept = localStorage.getItem(storageKey);
  const button = document.getElementById("join");
  // The ticket is fetched as soon as the page opens, not when the member presses "join", so
  // that the signing request and the join are not seconds apart for anyone watching the clock
  // (docs/anonymity.md, "Timing"); it is kept here until used.
  const ticket = kept ? Promise.resolve(kept) : obtainTicket().then((t) => {
    localStorage.setItem(storageKey, t);
    return t;
  });
  ticket.catch(() => {});
  const start = async () => {
    button.disabled = true;
    try {
      const t = await ticket;
      // A little more distance between whatever came before and the join.
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 400));
      await enter(t);
    } catch (error) {
      button.disabled = false;
      showError(error.message);
    }
  };
  button.addEventListener("click", start);
  if (kept) start();
}
