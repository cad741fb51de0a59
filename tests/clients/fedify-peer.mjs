// An ActivityPub peer server built on @fedify/fedify 1.5.x, for Sotong's federation tests.
//   node fedify-peer.mjs <sotong-base-url> <handle>   federate with a Sotong account
//   node fedify-peer.mjs --self-test                  run the same flow against itself
// Prints one JSON object per line on stdout; runs until stdin closes or SIGTERM.
// All protocol work (WebFinger, HTTP Signatures, keys, JSON-LD) is done by fedify.
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import {
  Activity, Create, Endpoints, Follow, Mention, Note, Object as APObject, OrderedCollection,
  Person, CryptographicKey, PUBLIC_COLLECTION, doesActorOwnKey, generateCryptoKeyPair,
  getAuthenticatedDocumentLoader, getDocumentLoader, getTypeId, isActor, lookupWebFinger,
  signRequest, traverseCollection, verifyRequest,
} from "@fedify/fedify";

const events = [];
const emit = (e) => { events.push(e); process.stdout.write(JSON.stringify(e) + "\n"); };
const fail = (where, e) => emit({ event: "error",
  message: `${where}: ${e?.stack ?? e}${e?.cause ? ` (cause: ${e.cause.message ?? e.cause})` : ""}` });
process.on("unhandledRejection", (e) => fail("unhandled", e));

// Safety net: this machine has no internet, and a test must never try it. fedify calls the
// global fetch for documents, keys, WebFinger and (non-preloaded) JSON-LD contexts, so only
// loopback addresses get through; anything else fails at once with a clear message.
const realFetch = globalThis.fetch;
const isLoopback = (u) => /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(new URL(u).hostname);
globalThis.fetch = (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  if (!isLoopback(url)) return Promise.reject(new Error(`offline: refusing to fetch ${url}`));
  return realFetch(input, init);
};

// JSON-LD @context documents: fedify 1.5 ships activitystreams, security/v1,
// security/data-integrity/v1, did/v1, security/multikey/v1, identity/v1, socialweb/webfinger,
// schema.org and gotosocial.org/ns preloaded. Any other remote context would need the internet:
// report it explicitly (jsonld would otherwise bury it in a generic "loading remote context failed").
const fedifyContextLoader = getDocumentLoader({ allowPrivateAddress: true });
async function contextLoader(url) {
  try { return await fedifyContextLoader(url); } catch (e) {
    const msg = `JSON-LD @context ${url} is not preloaded by fedify and cannot be fetched offline (${e.message})`;
    emit({ event: "error", message: msg });
    throw new Error(msg);
  }
}

// The peer's identity: an RSA key pair from fedify (RSASSA-PKCS1-v1_5, 4096 bits, SHA-256).
const { privateKey, publicKey } = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
const sent = new Map(); // pathname -> JSON-LD of activities we sent, so their ids dereference
const repliedTo = new Set(); // note ids already answered (a redelivery must not double-reply)
let me, keyId, person, loaders; // filled in once the port is known

async function handle(req, res) {
  const send = (status, body, type = "application/activity+json") => {
    res.writeHead(status, body == null ? {} : { "Content-Type": type });
    res.end(body == null ? undefined : JSON.stringify(body));
  };
  const url = new URL(req.url, me);
  if (req.method === "GET" && url.pathname === "/.well-known/webfinger") {
    // Serve both forms: acct:peer@host:port and the actor URL itself.
    const r = url.searchParams.get("resource");
    if (r !== `acct:peer@${url.host}` && r !== me.href) return send(404);
    return send(200, { subject: `acct:peer@${url.host}`, aliases: [me.href],
      links: [{ rel: "self", type: "application/activity+json", href: me.href }] }, "application/jrd+json");
  }
  if (req.method === "GET" && url.pathname === me.pathname)
    return send(200, await person.toJsonLd({ contextLoader }));
  if (req.method === "GET" && /^\/users\/peer\/(outbox|followers|following)$/.test(url.pathname))
    return send(200, await new OrderedCollection({ id: new URL(url.pathname, me), totalItems: 0 })
      .toJsonLd({ contextLoader }));
  if (req.method === "GET" && sent.has(url.pathname)) return send(200, sent.get(url.pathname));
  if (req.method === "POST" && (url.pathname === "/inbox" || url.pathname === `${me.pathname}/inbox`)) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const headers = new Headers(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const request = new Request(new URL(req.url, `http://${req.headers.host}`),
      { method: "POST", headers, body: Buffer.concat(chunks) });
    const after = await onInbox(request);
    send(after ? 202 : 401);
    if (after) after().catch((e) => fail("after inbox", e)); // e.g. reply, after answering 202
    return;
  }
  send(404);
}

// Verifies and parses one inbox POST; returns follow-up work when verified, else null (401).
async function onInbox(request) {
  const sig = request.headers.get("signature") ?? "";
  const keyIdUsed = /keyId="([^"]*)"/.exec(sig)?.[1] ?? null;
  let key = null, activity = null, object = null;
  // verifyRequest checks Digest, Date (±1 h), then fetches keyId through documentLoader.
  try { key = await verifyRequest(request, loaders); } catch (e) { fail("verifyRequest", e); }
  try { activity = await Activity.fromJsonLd(await request.json(), loaders); } catch (e) { fail("parse activity", e); }
  // The key must also belong to the activity's actor (else anyone could sign for anyone).
  const verified = key != null && activity != null && await doesActorOwnKey(activity, key, loaders).catch(() => false);
  try { object = await activity?.getObject(loaders); } catch (e) { fail("activity.object", e); }
  emit({ event: "received", type: activity ? typeName(activity) : null, verified, keyId: keyIdUsed,
    activityId: activity?.id?.href ?? null, actor: activity?.actorId?.href ?? null,
    object: object == null ? activity?.objectId?.href ?? null : {
      id: object.id?.href ?? null, type: typeName(object),
      content: object.content == null ? null : String(object.content),
      to: object.toIds.map((u) => u.href), cc: object.ccIds.map((u) => u.href) } });
  if (!verified) return null;
  // Reply to each new Note once; never to replies, so two peers (or the self-test) cannot loop.
  if (activity instanceof Create && object instanceof Note && object.replyTargetId == null &&
      !repliedTo.has(object.id?.href)) {
    repliedTo.add(object.id?.href);
    return () => reply(activity, object);
  }
  return () => Promise.resolve();
}

async function reply(create, note) {
  const author = await create.getActor(loaders);
  const acct = `@${author.preferredUsername}@${author.id.host}`;
  const noteId = new URL(`/users/peer/notes/${randomUUID()}`, me);
  const status = await post(author.inboxId, new Create({
    id: new URL(`/users/peer/activities/${randomUUID()}`, me), actor: me, to: author.id,
    object: new Note({ id: noteId, attribution: me, to: author.id, replyTarget: note.id,
      content: `<p>답장입니다 @${author.preferredUsername}</p>`,
      tags: [new Mention({ href: author.id, name: acct })] }),
  }));
  emit({ event: "reply_sent", status, note: noteId.href, inReplyTo: note.id.href });
}

// Serialises with fedify, signs with fedify (draft-cavage, rsa-sha256, Digest SHA-256) and POSTs.
async function post(inbox, activity) {
  const json = await activity.toJsonLd({ contextLoader });
  sent.set(activity.id.pathname, json);
  const request = await signRequest(new Request(inbox, { method: "POST", body: JSON.stringify(json),
    headers: { "Content-Type": "application/activity+json", Accept: "application/activity+json" } }),
  privateKey, keyId);
  return (await fetch(request)).status;
}

const typeName = (o) => getTypeId(o).href.replace(/^.*[#/]/, "");

// Fetches an ActivityPub document with a signed GET (fedify's authenticated loader calls
// signRequest with our key) and parses it with fedify's vocabulary.
async function fetchObject(url) {
  const { document } = await loaders.documentLoader(url.href);
  return await APObject.fromJsonLd(document, loaders);
}

async function federate(base, handle) {
  // fedify 1.5's lookupWebFinger always uses https:// for acct: resources (it builds
  // "https://{host}/.well-known/webfinger"), which a plain-HTTP Sotong cannot answer. For an
  // http(s) resource it keeps that scheme, so we look the account up by its http actor URL:
  // GET {base}/.well-known/webfinger?resource=http://{host:port}/users/{handle}.
  let actorUrl = new URL(`/users/${handle}`, base);
  try {
    const jrd = await lookupWebFinger(actorUrl, { allowPrivateAddress: true });
    const self = jrd?.links?.find((l) => l.rel === "self" && /activity\+json|ld\+json/.test(l.type ?? ""));
    if (self?.href) actorUrl = new URL(self.href);
    else fail("webfinger", `no self link for ${actorUrl.href}: ${JSON.stringify(jrd)}`);
    emit({ event: "webfinger", actor: self?.href ?? null, subject: jrd?.subject ?? null });
  } catch (e) { fail("webfinger", e); }

  let actor = null;
  try {
    actor = await fetchObject(actorUrl);
    if (!isActor(actor)) throw new Error(`${actorUrl.href} is a ${typeName(actor)}, not an actor`);
    emit({ event: "actor", type: typeName(actor), preferredUsername: actor.preferredUsername,
      inbox: actor.inboxId?.href ?? null, publicKeyId: actor.publicKeyId?.href ?? null });
  } catch (e) { fail("actor", e); actor = null; }

  try {
    if (actor == null) throw new Error("no actor, so no outbox");
    const outbox = await actor.getOutbox(loaders);
    const firstItems = [];
    for await (const item of traverseCollection(outbox, loaders)) {
      const obj = item instanceof Activity ? await item.getObject(loaders) : item;
      firstItems.push({ id: obj?.id?.href ?? null, content: obj?.content == null ? null : String(obj.content) });
      if (firstItems.length >= 5) break; // first few are enough; do not page forever
    }
    emit({ event: "outbox", totalItems: outbox.totalItems, firstItems });
  } catch (e) { fail("outbox", e); }

  try {
    const inbox = actor?.inboxId ?? new URL(`${actorUrl.pathname}/inbox`, actorUrl);
    const status = await post(inbox, new Follow({
      id: new URL(`/users/peer/follows/${randomUUID()}`, me), actor: me, object: actorUrl }));
    emit({ event: "follow_sent", status });
  } catch (e) { fail("follow", e); }
}

async function selfTest() {
  const check = (name, ok) => { emit({ event: "check", name, ok }); return ok; };
  const get = await signRequest(new Request(me, { headers: { Accept: "application/activity+json" } }), privateKey, keyId);
  check("signed GET verifies", (await verifyRequest(get, loaders))?.id?.href === keyId.href);
  await federate(me, "peer"); // WebFinger, signed GETs and a Follow, all against ourselves
  await post(new URL("/inbox", me), new Create({ id: new URL(`/users/peer/activities/${randomUUID()}`, me),
    actor: me, to: PUBLIC_COLLECTION, object: new Note({ id: new URL(`/users/peer/notes/${randomUUID()}`, me),
      attribution: me, to: PUBLIC_COLLECTION, content: "<p>hello</p>" }) }));
  // A body changed after signing must be refused (Digest mismatch).
  const good = await signRequest(new Request(new URL("/inbox", me), { method: "POST", body: "{}",
    headers: { "Content-Type": "application/activity+json" } }), privateKey, keyId);
  const tampered = await fetch(new Request(good.url, { method: "POST", headers: good.headers, body: '{"x":1}' }));
  for (let i = 0; i < 100 && !events.some((e) => e.event === "reply_sent"); i++) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 300)); // let the reply arrive at our own inbox
  const got = (type) => events.filter((e) => e.event === "received" && e.type === type && e.verified);
  const ok = [
    check("webfinger over http", events.some((e) => e.event === "webfinger" && e.actor === me.href)),
    check("actor parsed", events.some((e) => e.event === "actor" && e.publicKeyId === keyId.href)),
    check("outbox parsed", events.some((e) => e.event === "outbox" && e.totalItems === 0)),
    check("follow accepted 202", events.some((e) => e.event === "follow_sent" && e.status === 202)),
    check("Follow verified", got("Follow").length === 1),
    check("Create verified + reply", got("Create").length === 2 &&
      events.some((e) => e.event === "reply_sent" && e.status === 202)),
    check("tampered body 401", tampered.status === 401),
    check("no other errors", !events.some((e) => e.event === "error" && !/parse activity/.test(e.message))),
  ].every(Boolean);
  emit({ event: "self_test", ok });
  process.exit(ok ? 0 : 1);
}

const server = createServer((req, res) => handle(req, res).catch((e) => {
  fail(`${req.method} ${req.url}`, e);
  if (!res.headersSent) { res.writeHead(500); res.end(); }
}));
server.listen(0, "127.0.0.1", async () => {
  me = new URL(`http://127.0.0.1:${server.address().port}/users/peer`);
  keyId = new URL(`${me.href}#main-key`);
  // Signed GETs for documents and keys; allowPrivateAddress lets fedify reach 127.0.0.1.
  loaders = { contextLoader,
    documentLoader: getAuthenticatedDocumentLoader({ keyId, privateKey }, { allowPrivateAddress: true }) };
  person = new Person({ id: me, preferredUsername: "peer", name: "Fedify peer",
    inbox: new URL(`${me.href}/inbox`), outbox: new URL(`${me.href}/outbox`),
    followers: new URL(`${me.href}/followers`), following: new URL(`${me.href}/following`),
    endpoints: new Endpoints({ sharedInbox: new URL("/inbox", me) }),
    publicKey: new CryptographicKey({ id: keyId, owner: me, publicKey }) });
  emit({ event: "listening", actor: me.href });
  const args = process.argv.slice(2);
  if (args[0] === "--self-test") return selfTest().catch((e) => { fail("self-test", e); process.exit(1); });
  if (args.length !== 2) { fail("usage", "node fedify-peer.mjs <sotong-base-url> <handle>"); process.exit(2); }
  await federate(new URL(args[0]), args[1]);
});

const stop = () => { server.close(); process.exit(0); };
// The self-test ends by itself; otherwise the Rust test holds our stdin open while it needs us.
if (process.argv[2] !== "--self-test") process.stdin.on("end", stop).resume();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
