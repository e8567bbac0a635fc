"""Alternative: the scripts loaded with SCRIPT LOAD and called with EVALSHA by hand, reloading on NOSCRIPT;
compare-and-set tells "absent" apart from a value with a separate argument count."""

from redis.exceptions import NoScriptError

CAS_ABSENT = "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end redis.call('SET', KEYS[1], ARGV[1]) return 1"
CAS_VALUE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
"""
RESERVE = """
local wanted = tonumber(ARGV[1])
local stock = tonumber(redis.call('GET', KEYS[1]) or '-1')
if stock < wanted then return -1 end
redis.call('SET', KEYS[1], stock - wanted)
return stock - wanted
"""
_shas = {}


def _run(r, script, keys, args):
    for _ in range(2):
        sha = _shas.get(script) or _shas.setdefault(script, r.script_load(script))
        try:
            return r.evalsha(sha, len(keys), *keys, *args)
        except NoScriptError:
            _shas.pop(script, None)  # the server forgot it: load it again
    raise RuntimeError("the script could not be loaded")


def compare_and_set(r, key, expected, new):
    if expected is None:
        return _run(r, CAS_ABSENT, [key], [new]) == 1
    return _run(r, CAS_VALUE, [key], [expected, new]) == 1


def reserve(r, item, quantity):
    return int(_run(r, RESERVE, [f"stock:{item}"], [quantity]))
