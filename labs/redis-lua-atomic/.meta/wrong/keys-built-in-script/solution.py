"""Wrong: the script builds its key from ARGV, so the server (and a cluster) cannot see which key it touches."""

COMPARE_AND_SET = """
local current = redis.call('GET', KEYS[1])
local expected = ARGV[1] == '1' and ARGV[2] or false
if current ~= expected then return 0 end
redis.call('SET', KEYS[1], ARGV[3])
return 1
"""

RESERVE = """
local key = 'stock:' .. ARGV[2]
local stock = tonumber(redis.call('GET', key))
local wanted = tonumber(ARGV[1])
if stock == nil or stock < wanted then return -1 end
return redis.call('DECRBY', key, wanted)
"""


def compare_and_set(r, key, expected, new):
    has_expected = "0" if expected is None else "1"
    script = r.register_script(COMPARE_AND_SET)
    return script(keys=[key], args=[has_expected, expected or "", new]) == 1


def reserve(r, item, quantity):
    # register_script: EVALSHA, and on NOSCRIPT the script is loaded again and the call repeated
    return int(r.register_script(RESERVE)(keys=[], args=[quantity, item]))
