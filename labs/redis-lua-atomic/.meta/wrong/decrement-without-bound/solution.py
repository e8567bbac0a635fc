"""Wrong: always decrements, so the stock goes below zero."""

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
if stock == nil then return -1 end
return redis.call('DECRBY', KEYS[1], wanted)
"""


def compare_and_set(r, key, expected, new):
    has_expected = "0" if expected is None else "1"
    script = r.register_script(COMPARE_AND_SET)
    return script(keys=[key], args=[has_expected, expected or "", new]) == 1


def reserve(r, item, quantity):
    # register_script: EVALSHA, and on NOSCRIPT the script is loaded again and the call repeated
    return int(r.register_script(RESERVE)(keys=[f"stock:{item}"], args=[quantity]))
