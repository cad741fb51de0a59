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

// Bookmarks, favourites, lists and follow requests, as an app's screens call them.
//     node megalodon.mjs organise BASE OWNER_TOKEN OTHER_TOKEN LOCKED_TOKEN
async function organise(base, ownerToken, otherToken, lockedToken) {
  const sns = await detector(base);
  const owner = generator(sns, base, ownerToken);
  const other = generator(sns, base, otherToken);
  const locked = generator(sns, base, lockedToken);
  const otherId = (await other.verifyAccountCredentials()).data.id;
  const lockedId = (await locked.verifyAccountCredentials()).data.id;
  const ownerId = (await owner.verifyAccountCredentials()).data.id;
  const post = (await other.postStatus("리스트로 볼 글")).data;
  await owner.followAccount(otherId);
  const bookmarked = (await owner.bookmarkStatus(post.id)).data.bookmarked;
  const bookmarks = (await owner.getBookmarks({ limit: 10 })).data.map((s) => s.id);
  await owner.favouriteStatus(post.id);
  const favourites = (await owner.getFavourites({ limit: 10 })).data.map((s) => s.id);
  const list = (await owner.createList("동료")).data;
  await owner.addAccountsToList(list.id, [otherId]);
  const members = (await owner.getAccountsInList(list.id, { limit: 10 })).data.map((a) => a.id);
  const listTimeline = (await owner.getListTimeline(list.id, { limit: 10 })).data.map((s) => s.id);
  const renamed = (await owner.updateList(list.id, "가까운 동료")).data.title;
  const accountLists = (await owner.getAccountLists(otherId)).data.map((l) => l.id);
  const lists = (await owner.getLists()).data.map((l) => l.title);
  await owner.deleteAccountsFromList(list.id, [otherId]);
  const emptied = (await owner.getAccountsInList(list.id)).data.length;
  await owner.deleteList(list.id);
  const afterDelete = (await owner.getLists()).data.length;
  const lockedNow = (await locked.updateCredentials({ locked: true })).data.locked;
  const requested = (await owner.followAccount(lockedId)).data.requested;
  const requests = (await locked.getFollowRequests()).data.map((a) => a.id);
  const accepted = (await locked.acceptFollowRequest(ownerId)).data.followed_by;
  const asked = (await other.postStatus("어느 날이 좋을까요?", { poll: { options: ["목요일", "금요일"], expires_in: 3600, multiple: true } })).data;
  const voted = (await owner.votePoll(asked.poll.id, [0, 1])).data;
  const poll = (await owner.getPoll(asked.poll.id)).data;
  const later = new Date(Date.now() + 30 * 60 * 1000).toISOString();
  const scheduled = (await owner.postStatus("예약 공지", { scheduled_at: later })).data;
  const waiting = (await owner.getScheduledStatuses()).data.map((s) => s.id);
  await owner.cancelScheduledStatus(scheduled.id);
  const afterCancel = (await owner.getScheduledStatuses()).data.length;
  const otherAcct = (await other.verifyAccountCredentials()).data.acct;
  await owner.postStatus(`@${otherAcct} 잠깐 얘기 나눌까요?`, { visibility: "direct" });
  const conversations = (await other.getConversationTimeline({ limit: 10 })).data;
  const conversationRead = (await other.readConversation(conversations[0].id)).data.unread;
  return {
    postId: post.id, otherId, ownerId, listId: list.id, bookmarked, bookmarks, favourites, members,
    listTimeline, renamed, accountLists, lists, emptied, afterDelete, lockedNow, requested,
    requests, accepted, pollVotes: voted.votes_count, pollOwn: voted.own_votes, pollVoters: poll.voters_count,
    scheduledId: scheduled.id, waiting, afterCancel, conversations: conversations.length,
    conversationUnread: conversations[0].unread, conversationRead,
  };
}

// Reports, announcements, hashtags, trends, suggestions, endorsements and domain blocks.
//     node megalodon.mjs gather BASE ME_TOKEN OTHER_TOKEN
async function gather(base, meToken, otherToken) {
  const sns = await detector(base);
  const me = generator(sns, base, meToken);
  const other = generator(sns, base, otherToken);
  const otherId = (await other.verifyAccountCredentials()).data.id;
  const advert = (await other.postStatus("#도로공사 싸게 팝니다")).data;
  const report = (await me.report(otherId, { status_ids: [advert.id], comment: "광고입니다", category: "spam" })).data;
  const announcements = (await me.getInstanceAnnouncements()).data;
  await me.addReactionToAnnouncement(announcements[0].id, "👍");
  const reactions = (await me.getInstanceAnnouncements()).data[0].reactions;
  await me.dismissInstanceAnnouncement(announcements[0].id);
  const afterDismiss = (await me.getInstanceAnnouncements()).data.length;
  const followedTag = (await me.followTag("도로공사")).data;
  const followedTags = (await me.getFollowedTags()).data.map((t) => t.name);
  const trends = (await me.getInstanceTrends(10)).data.map((t) => t.name);
  const suggestions = (await me.getSuggestions(10)).data.length;
  await me.followAccount(otherId);
  await me.blockDomain("spam.example.org");
  const domainBlocks = (await me.getDomainBlocks()).data;
  return {
    report: { id: report.id, category: report.category, action_taken: report.action_taken, target: report.target_account.id },
    otherId, announcements: announcements.length, reactions, afterDismiss,
    followedTag: { name: followedTag.name, following: followedTag.following }, followedTags, trends,
    suggestions, domainBlocks,
  };
}

const [command, ...args] = process.argv.slice(2);
const commands = { detect, organise, gather };
if (!commands[command]) {
  console.error(`unknown command ${command}`);
  process.exit(2);
}
console.log(JSON.stringify(await commands[command](...args)));
