"""Wrong: reads in one command and writes in another: every caller that read the old value wins."""

COMPARE_AND_SET = """
local current = redis.call('GET', KEYS[1])
local expected = ARGV[1] == '1' and ARGV[2] or false
if current ~= expected then return 0 end
redis.call('SET', KEYS[1], ARGV[3])
return 1
"""

RESERVE = """
local stock = tonumber(redis.call('GET', KEYS[1]))
local wanted = tonumber(ARGV[1])
if stock == nil or stock < wanted then return -1 end
return redis.call('DECRBY', KEYS[1], wanted)
"""


def compare_and_set(r, key, expected, new):
    if r.get(key) != expected:
        return False
    r.set(key, new)
    return True


def reserve(r, item, quantity):
    # register_script: EVALSHA, and on NOSCRIPT the script is loaded again and the call repeated
    return int(r.register_script(RESERVE)(keys=[f"stock:{item}"], args=[quantity]))
