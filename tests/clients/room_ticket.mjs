// An independent second implementation of the anonymous-room blind-ticket protocol that
// docs/anonymity.md describes, built on Cloudflare's RFC 9474 library (npm
// `@cloudflare/blindrsa-ts`, suite RSABSSA-SHA384-PSS-Randomized) rather than on Sotong's own
// code. A signed-in resident has the room blindly sign a ticket, then joins, speaks and reads
// with that ticket alone: no Authorization header ever accompanies it. Prints one JSON object.
//
//     node room_ticket.mjs BASE ROOM_ID ACCESS_TOKEN TEXT
//         -> {"key", "ticket": {"message", "signature"}, "join", "sent", "messages"}
//     node room_ticket.mjs ticket BASE ROOM_ID ACCESS_TOKEN
//         -> {"ticket": {"message", "signature"}}   (obtain and verify a ticket, nothing more)
//
// Bytes travel as base64url (RFC 4648 §5) without padding; padded input is accepted. The ticket
// message is the RFC 9474 prepared message: a 32-byte random prefix followed by a random
// 32-byte message. A ticket goes in the `Sotong-Ticket` header as `MESSAGE.SIGNATURE`.
import { pathToFileURL } from "node:url";
import { RSABSSA } from "@cloudflare/blindrsa-ts";

export const ALGORITHM = "RSABSSA-SHA384-PSS-Randomized";
const MESSAGE_BYTES = 32;

export class HttpError extends Error {
  constructor(method, url, status, body) {
    super(`${method} ${url} -> ${status}\n${body}`);
    this.status = status;
    this.body = body;
  }
}

export function suite() {
  return RSABSSA.SHA384.PSS.Randomized();
}

export function toBase64url(bytes) {
  return Buffer.from(bytes).toString("base64url");
}

// Strict RFC 4648 §5 decoding: the URL-safe alphabet only, with or without correct padding.
// (Node's own decoder silently skips characters it does not know, which would hide server bugs.)
export function fromBase64url(text, what = "value") {
  if (typeof text !== "string") throw new Error(`${what} is not a string`);
  const unpadded = text.replace(/={1,2}$/, "");
  if (!/^[A-Za-z0-9_-]*$/.test(unpadded) || unpadded.length % 4 === 1) {
    throw new Error(`${what} is not base64url: ${JSON.stringify(text)}`);
  }
  if (unpadded.length !== text.length && text.length % 4 !== 0) {
    throw new Error(`${what} has wrong base64 padding: ${JSON.stringify(text)}`);
  }
  return new Uint8Array(Buffer.from(unpadded, "base64url"));
}

// The room's ticket key, as GET .../ticket_key hands it out, as a WebCrypto RSA-PSS key. It must
// be extractable: the library reads n and e back out of it through a JWK export.
export async function importTicketKey(keyJson, roomId) {
  if (keyJson.algorithm !== ALGORITHM) throw new Error(`unexpected ticket algorithm ${JSON.stringify(keyJson.algorithm)}`);
  if (roomId !== undefined && String(keyJson.room_id) !== String(roomId)) {
    throw new Error(`ticket key is for room ${JSON.stringify(keyJson.room_id)}, not ${JSON.stringify(roomId)}`);
  }
  const der = fromBase64url(keyJson.public_key, "public_key");
  return crypto.subtle.importKey("spki", der, { name: "RSA-PSS", hash: "SHA-384" }, true, ["verify"]);
}

// Client step 1: a fresh random message, prepared (randomizer || message) and blinded.
export async function beginTicket(publicKey) {
  const message = crypto.getRandomValues(new Uint8Array(MESSAGE_BYTES));
  const prepared = suite().prepare(message);
  const { blindedMsg, inv } = await suite().blind(publicKey, prepared);
  return { prepared, blindedMessage: blindedMsg, inv };
}

// Client step 2: unblind the room's blind signature; refuse a ticket that does not verify.
export async function finishTicket(publicKey, pending, blindSignature) {
  const modulusBytes = Math.ceil(publicKey.algorithm.modulusLength / 8);
  if (blindSignature.length !== modulusBytes) {
    throw new Error(`blind signature is ${blindSignature.length} bytes, the modulus ${modulusBytes}`);
  }
  // finalize runs RSASSA-PSS-VERIFY itself and throws "invalid signature" on failure.
  const signature = await suite().finalize(publicKey, pending.prepared, blindSignature, pending.inv);
  if (!(await suite().verify(publicKey, signature, pending.prepared))) throw new Error("ticket does not verify");
  return { message: toBase64url(pending.prepared), signature: toBase64url(signature) };
}

export function ticketHeader(ticket) {
  return `${ticket.message}.${ticket.signature}`;
}

async function call(method, url, { token, ticket, body } = {}) {
  const headers = { Accept: "application/json" };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  if (ticket !== undefined) headers["Sotong-Ticket"] = ticketHeader(ticket);
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "omit", redirect: "error",
  });
  const text = await response.text();
  if (!response.ok) throw new HttpError(method, url, response.status, text);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${method} ${url} -> ${response.status} but the body is not JSON:\n${text}`);
  }
}

function roomUrl(base, room, tail) {
  return `${base.replace(/\/+$/, "")}/api/v1/sotong/rooms/${encodeURIComponent(room)}/${tail}`;
}

// Steps 1–4: fetch the key, blind, have the room sign (the only authenticated call), finalize.
export async function obtainTicket(base, room, token) {
  const key = await call("GET", roomUrl(base, room, "ticket_key"));
  const publicKey = await importTicketKey(key, room);
  const pending = await beginTicket(publicKey);
  const signed = await call("POST", roomUrl(base, room, "tickets"), {
    token, body: { blinded_message: toBase64url(pending.blindedMessage) },
  });
  const ticket = await finishTicket(publicKey, pending, fromBase64url(signed.blind_signature, "blind_signature"));
  return { key, ticket };
}

// Steps 1–7. Everything after the signing goes out with the ticket alone.
export async function story(base, room, token, text) {
  const { key, ticket } = await obtainTicket(base, room, token);
  const join = await call("POST", roomUrl(base, room, "join"), {
    body: { ticket: { message: ticket.message, signature: ticket.signature } },
  });
  const sent = await call("POST", roomUrl(base, room, "messages"), { ticket, body: { body: text } });
  const messages = await call("GET", roomUrl(base, room, "messages"), { ticket });
  return { key, ticket, join, sent, messages };
}

async function main(argv) {
  let result;
  if (argv[0] === "ticket" && argv.length === 4) {
    const [, base, room, token] = argv;
    result = { ticket: (await obtainTicket(base, room, token)).ticket };
  } else if (argv.length === 4 && argv[0] !== "ticket") {
    result = await story(...argv);
  } else {
    console.error("usage: node room_ticket.mjs BASE ROOM_ID ACCESS_TOKEN TEXT\n       node room_ticket.mjs ticket BASE ROOM_ID ACCESS_TOKEN");
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await main(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof HttpError ? error.message : (error?.stack ?? String(error)));
    process.exit(1);
  }
}
