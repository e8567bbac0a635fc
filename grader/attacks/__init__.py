"""The grader as the attacker: what security labs replay against a learner's running service.

One module per job: `tokens` (forged JWTs: alg none, key confusion, stripped or foreign signatures,
bad claims), `statements` (seeing an injected statement run on the server, e.g. a time-based blind
injection's sleep, in pg_stat_activity rather than by a stopwatch), `cookies` (Set-Cookie attributes,
sessions sent by hand). Checks judge the attack by its effect, never by the text of the request.
"""
