"""Sign-in with the trust's identity provider over OpenID Connect (issue 20).

config.py reads settings.OIDC into a Provider; client.py speaks the protocol through Authlib (authorisation code
with PKCE, state, nonce, ID token checked against the provider's published keys); services.py turns verified
claims into a person (matched on the provider's subject identifier, created just in time, roles from groups);
views.py holds the sign-in, callback and sign-out pages. Part of the core: it imports no feature app.
"""
