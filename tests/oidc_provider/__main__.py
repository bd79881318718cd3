"""Run the test identity provider: `python -m tests.oidc_provider [--port 9000] [--demo]`.

It prints its issuer URL on the first line of standard output, then serves until stopped. With --demo it also
registers the client `qi-portal` (secret `demo-secret`, redirect to http://127.0.0.1:8000) and two people, so
`make run` can try single sign-on by hand (README, "Single sign-on").
"""

import argparse

from tests.oidc_provider.provider import Client, Person, serve

DEMO_SITE = "http://127.0.0.1:8000"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--demo", action="store_true", help="register the demo client and people")
    args = parser.parse_args()
    server, provider = serve(args.host, args.port)
    if args.demo:
        provider.clients["qi-portal"] = Client(
            "qi-portal",
            "demo-secret",
            redirect_uris=[f"{DEMO_SITE}/accounts/sso/callback/"],
            post_logout_redirect_uris=[f"{DEMO_SITE}/accounts/signed-out/"],
        )
        for username, given, family in (("amara", "Amara", "Nwosu"), ("ben", "Ben", "Carter")):
            claims = {"sub": f"demo-{username}", "given_name": given, "family_name": family}
            claims.update(name=f"{given} {family}", email=f"{username}@trust.nhs.invalid", preferred_username=username)
            provider.people[username] = Person(username, "demo-pass", claims)
    print(provider.issuer, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
