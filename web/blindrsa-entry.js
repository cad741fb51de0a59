// What the room page needs from Cloudflare's RFC 9474 library, bundled into
// static/vendor/blindrsa.js by scripts/build-assets.
export { RSABSSA } from "@cloudflare/blindrsa-ts";
