// Drives Sotong with masto.js (npm `masto`), as a third-party client would. Prints one JSON
// object. Keys come back in masto's camelCase: the library converts every response.
//
//     node masto.mjs story BASE OFFICIAL_EMAIL OFFICIAL_PASSWORD NEW_PASSWORD PHOTO.jpg
import { readFile } from "node:fs/promises";
import { createOAuthAPIClient, createRestAPIClient, createStreamingAPIClient } from "masto";

const OOB = "urn:ietf:wg:oauth:2.0:oob";
const SCOPES = "read write follow push";

async function story(base, officialEmail, officialPassword, password, photoPath) {
  const anonymous = createRestAPIClient({ url: base });
  const app = await anonymous.v1.apps.create({ clientName: "sotong-masto", redirectUris: OOB, scopes: SCOPES });
  const oauth = createOAuthAPIClient({ url: base });
  const appToken = await oauth.token.create({
    grantType: "client_credentials", clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: OOB, scope: SCOPES,
  });
  const registered = await createRestAPIClient({ url: base, accessToken: appToken.accessToken }).v1.accounts.create({
    username: "masto_resident", email: "jiwoo@example.org", password, agreement: true, locale: "ko",
  });
  const resident = createRestAPIClient({ url: base, accessToken: registered.accessToken });
  const officialToken = await oauth.token.create({
    grantType: "password", clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: OOB, scope: SCOPES,
    username: officialEmail, password: officialPassword,
  });
  const official = createRestAPIClient({ url: base, accessToken: officialToken.accessToken });

  // He keeps his notification stream open, found where a client finds it: in the instance.
  const instance = await anonymous.v2.instance.fetch();
  const streaming = createStreamingAPIClient({
    streamingApiUrl: instance.configuration.urls.streaming, accessToken: officialToken.accessToken, retry: false,
  });
  const subscription = streaming.user.notification.subscribe();
  const heard = (async () => {
    for await (const event of subscription) {
      if (event.event === "notification" && event.payload.type === "sotong.wall_post") return event.payload;
    }
    return null;
  })();
  await new Promise((resolve) => setTimeout(resolve, 300));

  const found = await resident.v2.search.list({ q: "ㅎㄱㄷ", type: "accounts" });
  const him = found.accounts.find((a) => a.username === "gildong_hong");
  const relationship = await resident.v1.accounts.$select(him.id).follow();
  const photo = new Blob([await readFile(photoPath)], { type: "image/jpeg" });
  const media = await resident.v2.media.create({ file: photo, description: "민원 현장 사진" });
  // `wallAccountId` is Sotong's extension; masto sends it as `wall_account_id` like any parameter.
  const wallPost = await resident.v1.statuses.create({
    status: "안녕하세요, 불법 주차 민원입니다. #주차", mediaIds: [media.id], wallAccountId: him.id,
  });
  const streamed = await Promise.race([heard, new Promise((resolve) => setTimeout(() => resolve(null), 5000))]);

  const [note] = await official.v1.notifications.list({ types: ["sotong.wall_post"] });
  const reply = await official.v1.statuses.create({ status: "@masto_resident 확인해 드리겠습니다.", inReplyToId: note.status.id });
  const herNotes = await resident.v1.notifications.list({ types: ["mention"] });
  const context = await resident.v1.statuses.$select(wallPost.id).context.fetch();
  const home = await resident.v1.timelines.home.list({ limit: 20 });
  subscription.unsubscribe();
  streaming.close();
  return { found: found.accounts, following: relationship.following, media, wallPost, streamed, note, reply, herNotes, context, home };
}

const [mode, ...args] = process.argv.slice(2);
if (mode !== "story") {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
const result = await story(...args);
process.stdout.write(JSON.stringify(result));
process.exit(0);
