// Drives Sotong with megalodon (npm), as a third-party client would: it first asks the server
// what it is (NodeInfo), then speaks to it as that kind of server. Prints one JSON object.
//
//     node megalodon.mjs detect BASE ACCESS_TOKEN
import megalodon from "megalodon";

// The package is CommonJS: its default export holds the generator as `default`.
const { detector } = megalodon;
const generator = megalodon.default;

async function detect(base, token) {
  const sns = await detector(base);
  const client = generator(sns, base, token);
  const instance = (await client.getInstance()).data;
  const me = (await client.verifyAccountCredentials()).data;
  const emojis = (await client.getInstanceCustomEmojis()).data;
  const home = (await client.getHomeTimeline({ limit: 5 })).data;
  return { sns, uri: instance.uri, version: instance.version, username: me.username, emojis, homeCount: home.length };
}

const [command, ...args] = process.argv.slice(2);
const commands = { detect };
if (!commands[command]) {
  console.error(`unknown command ${command}`);
  process.exit(2);
}
console.log(JSON.stringify(await commands[command](...args)));
