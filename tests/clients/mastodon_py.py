"""Drives Sotong with Mastodon.py, as a third-party client would. Prints one JSON object.

    mastodon_py.py login    BASE EMAIL PASSWORD
    mastodon_py.py moderate BASE ADMIN_TOKEN REPORTER_TOKEN SPAMMER_TOKEN
    mastodon_py.py startup  BASE TOKEN COLLEAGUE_TOKEN
    mastodon_py.py emojis   BASE TOKEN
    mastodon_py.py requests BASE TOKEN STRANGER_TOKEN
    mastodon_py.py register BASE USERNAME EMAIL PASSWORD
    mastodon_py.py auth_url BASE
    mastodon_py.py exchange BASE CLIENT_ID CLIENT_SECRET CODE
    mastodon_py.py practice BASE LOGIN PASSWORD SPACE_ID INITIALS PHOTO
"""
import json
import os
import sys
import time

from mastodon import Mastodon, MastodonAPIError, StreamListener

OOB = "urn:ietf:wg:oauth:2.0:oob"


def plain(value):
    return json.loads(json.dumps(value, default=str))


def main(args):
    mode, base = args[0], args[1]
    if mode == "login":
        email, password = args[2], args[3]
        client_id, client_secret = Mastodon.create_app("sotong-test", api_base_url=base, redirect_uris=OOB)
        api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base, version_check_mode="created")
        api.log_in(email, password, allow_http=True)
        print(json.dumps({
            "account": plain(api.account_verify_credentials()),
            "app": plain(api.app_verify_credentials()),
            "version": api.retrieve_mastodon_version(),
        }))
    elif mode == "register":
        username, email, password = args[2], args[3], args[4]
        client_id, client_secret = Mastodon.create_app("sotong-test", api_base_url=base, redirect_uris=OOB)
        api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
        token, error = api.create_account(username, password, email, agreement=True, locale="ko", return_detailed_error=True)
        if token is None:
            print(json.dumps({"error": plain(error)}))
            return
        print(json.dumps({"account": plain(api.account_verify_credentials())}))
    elif mode == "auth_url":
        client_id, client_secret = Mastodon.create_app("sotong-test", api_base_url=base, redirect_uris=OOB)
        api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
        print(json.dumps({"url": api.auth_request_url(redirect_uris=OOB, allow_http=True), "client_id": client_id, "client_secret": client_secret}))
    elif mode == "exchange":
        client_id, client_secret, code = args[2], args[3], args[4]
        api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
        api.log_in(code=code, redirect_uri=OOB, allow_http=True)
        print(json.dumps({"account": plain(api.account_verify_credentials())}))
    elif mode == "story":
        # The 2011 story: a resident finds an official by his initials, follows him and writes
        # on his wall with a photo; his open stream hears of it; he replies; she is notified.
        official_email, official_password, password, photo = args[2], args[3], args[4], args[5]
        client_id, client_secret = Mastodon.create_app("sotong-story", api_base_url=base, redirect_uris=OOB)
        resident = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
        resident.create_account("story_resident", password, "seoyeon@example.org", agreement=True, locale="ko")
        official = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
        official.log_in(official_email, official_password, allow_http=True)
        # He keeps his stream open, as the web page or an app would.
        streamed = []

        class Listener(StreamListener):
            def on_notification(self, notification):
                streamed.append(notification)

        handle = official.stream_user(Listener(), run_async=True)
        time.sleep(0.5)
        found = resident.account_search("ㅎㄱㄷ")
        him = next(a for a in found if a["username"] == "gildong_hong")
        relationship = resident.account_follow(him["id"])
        media = resident.media_post(photo, mime_type="image/jpeg", description="불법 주차 현장 사진")
        # Writing on another's wall is Sotong's extension: Mastodon.py's generic request carries it.
        wall_post = resident._Mastodon__api_request("POST", "/api/v1/statuses", {"status": "안녕하세요, 주차 민원 문의드립니다. #주차", "wall_account_id": him["id"], "media_ids": [media["id"]]})
        for _ in range(50):
            if any(n["type"] == "sotong.wall_post" for n in streamed):
                break
            time.sleep(0.1)
        note = official.notifications(types=["sotong.wall_post"])[0]
        reply = official.status_post("@story_resident 내일까지 확인해 드리겠습니다.", in_reply_to_id=note["status"]["id"])
        her_notes = resident.notifications(types=["mention"])
        context = resident.status_context(wall_post["id"])
        print(json.dumps({
            "streamed": plain(streamed),
            "found": plain(found),
            "media": plain(media),
            "following": relationship["following"],
            "wall_post": plain(wall_post),
            "notification": plain(note),
            "reply": plain(reply),
            "her_notifications": plain(her_notes),
            "context": plain(context),
            "his_wall": plain(official.account_statuses(him["id"])),
            "home": plain(resident.timeline_home()),
        }))
        # The stream's thread blocks until the next keep-alive; the result is out, so leave now.
        sys.stdout.flush()
        os._exit(0)
    elif mode == "organise":
        # Bookmarks, favourites, lists and follow requests, paged as apps page them.
        owner, other, locked = (Mastodon(access_token=token, api_base_url=base) for token in args[2:5])
        other_id = other.account_verify_credentials()["id"]
        posts = [other.status_post(f"공지 {n}")["id"] for n in range(3)]
        owner.account_follow(other_id)
        for post in posts:
            owner.status_bookmark(post)
        first = owner.bookmarks(limit=2)
        rest = owner.fetch_next(first)
        owner.status_unbookmark(posts[0])
        owner.status_favourite(posts[1])
        the_list = owner.list_create("동료")
        owner.list_accounts_add(the_list["id"], [other_id])
        changed = owner.list_update(the_list["id"], "동료들", replies_policy="none", exclusive=True)
        listed = owner.timeline_list(the_list["id"])
        home = owner.timeline_home()
        members = owner.list_accounts(the_list["id"])
        in_lists = owner.account_lists(other_id)
        owner.list_accounts_delete(the_list["id"], [other_id])
        owner.list_delete(the_list["id"])
        locked.account_update_credentials(locked=True)
        locked_id = locked.account_verify_credentials()["id"]
        asked = owner.account_follow(locked_id)
        waiting = locked.follow_requests()
        authorized = locked.follow_request_authorize(waiting[0]["id"])
        print(json.dumps({
            "posts": posts,
            "other_id": other_id,
            "first": [s["id"] for s in first],
            "rest": [s["id"] for s in rest or []],
            "bookmarks": [s["id"] for s in owner.bookmarks()],
            "favourites": [s["id"] for s in owner.favourites()],
            "changed": plain(changed),
            "listed": [s["id"] for s in listed],
            "home": [s["id"] for s in home],
            "members": [a["id"] for a in members],
            "in_lists": [l["id"] for l in in_lists],
            "list_id": the_list["id"],
            "lists_after": plain(owner.lists()),
            "asked": plain(asked),
            "waiting": [a["acct"] for a in waiting],
            "authorized": plain(authorized),
        }))
    elif mode == "filters":
        # A resident keeps road-works news behind a warning and hides spoilers.
        reader, other = (Mastodon(access_token=token, api_base_url=base) for token in args[2:4])
        other_id = other.account_verify_credentials()["id"]
        reader.account_follow(other_id)
        warned = reader.create_filter_v2("공사 이야기", ["home", "public"], "warn", keywords_attributes=[{"keyword": "공사", "whole_word": False}])
        hidden = reader.filter_create("결말", ["home"], irreversible=True, whole_word=False)
        keyword = reader.add_filter_keyword_v2(warned["id"], "소음", whole_word=True)
        noisy = other.status_post("내일부터 도로 공사합니다")
        other.status_post("드라마 결말 알려드림")
        greeting = other.status_post("좋은 아침입니다")
        home = reader.timeline_home()
        print(json.dumps({
            "warned": plain(warned),
            "hidden": plain(hidden),
            "keyword": plain(keyword),
            "filters_v2": plain(reader.filters_v2()),
            "filters_v1": plain(reader.filters()),
            "home": [{"id": s["id"], "filtered": plain(s["filtered"])} for s in home],
            "noisy": noisy["id"],
            "greeting": greeting["id"],
        }))
    elif mode == "later":
        # An office schedules its announcement; two colleagues talk directly.
        import datetime
        office, colleague = (Mastodon(access_token=token, api_base_url=base) for token in args[2:4])
        when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=30)
        scheduled = office.status_post("민원실 점검 안내", scheduled_at=when)
        moved = office.scheduled_status_update(scheduled["id"], when + datetime.timedelta(hours=1))
        waiting = office.scheduled_statuses()
        colleague_acct = colleague.account_verify_credentials()["acct"]
        direct = office.status_post(f"@{colleague_acct} 점검 시간 괜찮으세요?", visibility="direct")
        theirs = colleague.conversations()
        read = colleague.conversations_read(theirs[0]["id"])
        print(json.dumps({
            "scheduled": plain(scheduled),
            "moved": plain(moved),
            "waiting": [s["id"] for s in waiting],
            "direct": direct["id"],
            "theirs": plain(theirs),
            "read": plain(read),
        }))
    elif mode == "poll":
        # The office asks; its open stream sees the numbers change as a resident votes.
        office, resident = (Mastodon(access_token=token, api_base_url=base) for token in args[2:4])
        updates = []

        class Listener(StreamListener):
            def on_status_update(self, status):
                updates.append(status)

        handle = office.stream_user(Listener(), run_async=True)
        time.sleep(0.5)
        poll = office.make_poll(["누리도서관", "새봄도서관"], expires_in=3600)
        asked = office.status_post("새 도서관 이름을 골라 주세요", poll=poll)
        voted = resident.poll_vote(asked["poll"]["id"], [1])
        for _ in range(50):
            if updates:
                break
            time.sleep(0.1)
        print(json.dumps({
            "asked": plain(asked),
            "voted": plain(voted),
            "refetched": plain(resident.poll(asked["poll"]["id"])),
            "updates": plain(updates),
        }))
        sys.stdout.flush()
        os._exit(0)
    elif mode == "push":
        # A phone subscribes to Web Push; a resident mentions the official; the phone's push
        # service (a receiver here) gets a message only the phone can read: decrypted with
        # http_ece (RFC 8291, aes128gcm), its VAPID signature (RFC 8292) checked with
        # cryptography.
        import base64
        import http.server
        import threading
        import http_ece
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec, utils

        official, resident = (Mastodon(access_token=token, api_base_url=base) for token in args[2:4])
        received = []

        class Receiver(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), body))
                self.send_response(201)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        endpoint = f"http://127.0.0.1:{server.server_address[1]}/push/official"

        private, public = official.push_subscription_generate_keys()
        subscribed = official.push_subscription_set(endpoint, public, mention_events=True, follow_events=True, policy="all")
        acct = official.account_verify_credentials()["acct"]
        resident.status_post(f"@{acct} 보도블록이 깨져 있습니다")
        for _ in range(100):
            if received:
                break
            time.sleep(0.1)
        headers, body = received[0]
        lower = {k.lower(): v for k, v in headers.items()}
        phone_key = ec.derive_private_key(private["privkey"], ec.SECP256R1())
        payload = json.loads(http_ece.decrypt(body, private_key=phone_key, auth_secret=private["auth"], version="aes128gcm"))

        def unb64(text):
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

        fields = dict(part.strip().split("=", 1) for part in lower["authorization"][len("vapid "):].split(","))
        signing_input, _, signature = fields["t"].rpartition(".")
        raw = unb64(signature)
        server_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(fields["k"]))
        server_key.verify(
            utils.encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
            signing_input.encode(),
            ec.ECDSA(hashes.SHA256()),
        )
        claims = json.loads(unb64(signing_input.split(".")[1]))
        notification = official.notifications(id=payload["notification_id"])
        changed = official.push_subscription_update(mention_events=False, follow_events=True)
        official.push_subscription_delete()
        try:
            official.push_subscription()
            after = "still there"
        except Exception as error:
            after = type(error).__name__
        print(json.dumps({
            "endpoint": endpoint,
            "subscribed": plain(subscribed),
            "content_encoding": lower.get("content-encoding"),
            "ttl": lower.get("ttl"),
            "vapid_key": fields["k"],
            "claims": claims,
            "payload": payload,
            "notification": plain(notification),
            "changed": plain(changed),
            "after": after,
            "messages": len(received),
        }))
    elif mode == "moderate":
        # A resident reports an advert; the administrator takes the report, limits the
        # account with a warning, and the reporter is told.
        admin, reporter, spammer = (Mastodon(access_token=token, api_base_url=base) for token in args[2:5])
        spammer_id = spammer.account_verify_credentials()["id"]
        ad = spammer.status_post("싸게 팝니다")
        filed = reporter.report(spammer_id, [ad["id"]], comment="광고입니다", category="spam")
        queue = admin.admin_reports()
        taken = admin.admin_report_assign(filed["id"])
        admin.admin_account_moderate(spammer_id, action="silence", report_id=filed["id"], text="광고는 안 됩니다")
        print(json.dumps({
            "filed": plain(filed),
            "queue": [r["id"] for r in queue],
            "taken": plain(taken),
            "report": plain(admin.admin_report(filed["id"])),
            "open_after": [r["id"] for r in admin.admin_reports()],
            "silenced_v1": [a["id"] for a in admin.admin_accounts_v1(status="silenced")],
            "silenced_v2": [a["id"] for a in admin.admin_accounts_v2(status="silenced")],
            "reporter_told": [n["type"] for n in reporter.notifications()],
            "spammer_told": [n["type"] for n in spammer.notifications()],
        }))
    elif mode == "startup":
        # What a phone app reads when it opens, after a colleague posted with a hashtag and
        # the administrator published an announcement.
        me, colleague = (Mastodon(access_token=token, api_base_url=base) for token in args[2:4])
        colleague_id = colleague.account_verify_credentials()["id"]
        followed = me.tag_follow("도로공사")
        posted = colleague.status_post("#도로공사 내일 시작합니다")
        me.status_favourite(posted["id"])
        announcements = me.announcements()
        me.announcement_reaction_create(announcements[0]["id"], "👍")
        reacted = me.announcements()
        me.announcement_dismiss(announcements[0]["id"])
        me.account_follow(colleague_id)
        pinned = me.account_pin(colleague_id)
        me.featured_tag_create("민원")
        me.domain_block("spam.example.org")
        print(json.dumps({
            "followed": plain(followed),
            "followed_tags": [t["name"] for t in me.followed_tags()],
            "home": [s["id"] for s in me.timeline_home()],
            "posted": posted["id"],
            "announcements": plain(announcements),
            "reacted": plain(reacted[0]["reactions"]),
            "after_dismiss": len(me.announcements()),
            "grouped": plain(colleague.grouped_notifications()),
            "suggestions": plain(me.suggestions_v2()),
            "trending_tags": [t["name"] for t in me.trending_tags()],
            "trending_statuses": [s["id"] for s in me.trending_statuses()],
            "pinned": plain(pinned),
            "endorsements": [a["id"] for a in me.endorsements()],
            "featured": [t["name"] for t in me.featured_tags()],
            "domain_blocks": plain(me.domain_blocks()),
        }))
    elif mode == "emojis":
        # The picker's list, and a post that names one of them.
        api = Mastodon(access_token=args[2], api_base_url=base)
        posted = api.status_post("누리구 축제에 오세요 :nuri:")
        print(json.dumps({
            "custom_emojis": plain(api.custom_emojis()),
            "posted": plain(posted["emojis"]),
            "read_back": plain(api.status(posted["id"])["emojis"]),
        }))
    elif mode == "requests":
        # A clerk keeps strangers' notifications aside, reads the request and accepts it.
        me, stranger = (Mastodon(access_token=token, api_base_url=base) for token in args[2:4])
        policy = me.update_notifications_policy(for_not_following="filter")
        me_name = me.account_verify_credentials()["username"]
        mention = stranger.status_post(f"@{me_name} 처음 인사드립니다")
        before = [n["status"]["id"] for n in me.notifications() if n["status"]]
        requests = me.notification_requests()
        one = me.notification_request(requests[0])
        summary = me.notifications_policy()["summary"]
        me.accept_notification_request(requests[0])
        print(json.dumps({
            "policy": plain(policy),
            "mention": mention["id"],
            "before": before,
            "requests": plain(requests),
            "one": plain(one),
            "summary": plain(summary),
            "merged": me.notifications_merged(),
            "after": [n["status"]["id"] for n in me.notifications() if n["type"] == "mention"],
            "left": len(me.notification_requests()),
        }))
    elif mode == "practice":
        # A trainee practises with an app: logs in, binds the app's token to the class's
        # practice space, then completes the profile, finds a classmate by the initial
        # consonants of their name and follows them, and posts a photo.
        login, password, space, initials, photo = args[2], args[3], args[4], args[5], args[6]
        client_id, client_secret = Mastodon.create_app("sotong-practice", api_base_url=base, redirect_uris=OOB)
        api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
        api.log_in(login, password, allow_http=True)
        real = api.account_verify_credentials()
        # Binding the token is Sotong's extension: Mastodon.py's generic request carries it.
        entered = api._Mastodon__api_request("POST", f"/api/v1/sotong/practice/{space}/enter")
        me = api.account_verify_credentials()
        profile = api.account_update_credentials(
            note="민원여권과에서 연습 중입니다.", avatar=photo, avatar_mime_type="image/jpeg")
        found = api.account_search(initials)
        classmate = next(a for a in found if a["id"] != me["id"])
        relationship = api.account_follow(classmate["id"])
        media = api.media_post(photo, mime_type="image/jpeg", description="연습 사진")
        post = api.status_post("앱에서 올린 첫 연습 글", media_ids=[media["id"]])
        print(json.dumps({
            "real": plain(real),
            "entered": plain(entered),
            "me": plain(me),
            "profile": plain(profile),
            "found": plain(found),
            "following": relationship["following"],
            "post": plain(post),
        }))
    elif mode == "verify":
        # What an app sees of its token: the account, or the error it is refused with.
        api = Mastodon(access_token=args[2], api_base_url=base)
        try:
            print(json.dumps({"account": plain(api.account_verify_credentials())}))
        except MastodonAPIError as error:
            print(json.dumps({"error": type(error).__name__, "status": error.args[1]}))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
