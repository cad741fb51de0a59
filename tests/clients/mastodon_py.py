"""Drives Sotong with Mastodon.py, as a third-party client would. Prints one JSON object.

    mastodon_py.py login    BASE EMAIL PASSWORD
    mastodon_py.py register BASE USERNAME EMAIL PASSWORD
    mastodon_py.py auth_url BASE
    mastodon_py.py exchange BASE CLIENT_ID CLIENT_SECRET CODE
"""
import json
import sys

from mastodon import Mastodon

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
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
