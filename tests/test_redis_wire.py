"""Commands and round trips counted on the wire (grader/checks/resp.py, redis_wire.py, the proxy's tap):
RESP read from bytes cut anywhere, and real clients through the proxy to a real server, with the
bytes cut by hand (a command over several sends, several commands in one send, pauses between)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from grader.apps.proxy import FaultProxy
from grader.checks.problems import GraderFault
from grader.checks.redis_wire import EXACT_UP_TO, GRACE_S, emptied_script_cache, watching
from grader.checks.resp import ErrorReply, Push, RespError, RespReader
from grader.isolation.redis import RedisLease
from grader.services.session import ServicePool
from grader.worker.client import Worker

# RESP read from bytes --------------------------------------------------------------------------

REPLIES = (b"+OK\r\n-ERR wrong\r\n:42\r\n$5\r\nhe\r\no\r\n$-1\r\n*-1\r\n*0\r\n$0\r\n\r\n"
           b"*3\r\n$1\r\na\r\n*1\r\n:1\r\n$-1\r\n"
           b"_\r\n,3.5\r\n#t\r\n(12345678901234567890\r\n!3\r\nbad\r\n=9\r\ntxt:caf\xc3\xa9\r\n"
           b"%1\r\n+k\r\n:2\r\n~2\r\n:1\r\n:2\r\n>2\r\n$7\r\nmessage\r\n$1\r\nx\r\n|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n")
PARSED = [b"OK", ErrorReply(b"ERR wrong"), 42, b"he\r\no", None, None, [], b"", [b"a", [1], None],
          None, 3.5, True, 12345678901234567890, ErrorReply(b"bad"), "txt:café".encode(), [(b"k", 2)], [1, 2],
          Push([b"message", b"x"]), b"v"]


def test_every_reply_kind_is_read_whole() -> None:
    assert RespReader().feed(REPLIES) == PARSED


def test_replies_cut_at_every_byte_read_the_same() -> None:
    for cut in range(1, len(REPLIES)):
        reader = RespReader()
        first = reader.feed(REPLIES[:cut])
        assert first + reader.feed(REPLIES[cut:]) == PARSED, cut
        assert not reader.pending


def test_replies_fed_one_byte_at_a_time() -> None:
    reader = RespReader()
    got = []
    for index in range(len(REPLIES)):
        got += reader.feed(REPLIES[index:index + 1])
        if index == 2:  # "+OK" without its line end
            assert reader.pending and got == []
    assert got == PARSED and not reader.pending


def test_requests_in_both_forms_and_garbage() -> None:
    packed = b"".join(redis.Connection().pack_command("HSET", "user:ana maria", "city", "Zoë"))
    reader = RespReader(requests=True)
    assert reader.feed(packed[:7]) == [] and reader.pending
    assert reader.feed(packed[7:] + b"PING hello\r\n\r\n*1\r\n$4\r\nPING\r\n") == [
        [b"HSET", b"user:ana maria", b"city", "Zoë".encode()], [b"PING", b"hello"], [b"PING"]]
    with pytest.raises(RespError):
        RespReader().feed(b"?what\r\n")
    with pytest.raises(RespError):
        RespReader(requests=True).feed(b"*1\r\n:1\r\n")
    with pytest.raises(RespError):
        RespReader().feed(b"$3\r\nabcd\r\n")


# Counting through the proxy, on a real server ----------------------------------------------------

@pytest.fixture
def lease(pool: ServicePool) -> Iterator[RedisLease]:
    lease = RedisLease(pool.get("redis").url)
    yield lease
    lease.close()


@pytest.fixture
def proxy(lease: RedisLease) -> Iterator[FaultProxy]:
    proxy = FaultProxy.for_url(lease.admin_url, "redis")
    yield proxy
    proxy.close()


@pytest.fixture
def client(lease: RedisLease, proxy: FaultProxy) -> Iterator[redis.Redis]:
    """A learner's client (its own user and database) through the proxy, connected before any watch."""
    client = redis.Redis.from_url(proxy.url_for(lease.learner_url()), decode_responses=True, socket_timeout=10)
    client.ping()
    yield client
    client.close()


def test_single_calls_are_one_round_trip_each(client: redis.Redis, proxy: FaultProxy) -> None:
    with watching(proxy) as traffic:
        for index in range(EXACT_UP_TO + 12):  # past the grace's limit: a waiting client stays exact
            client.set(f"k{index}", index)
    assert len(traffic.round_trips) == EXACT_UP_TO + 12 and traffic.count("SET") == EXACT_UP_TO + 12
    assert traffic.largest() == 1 and traffic.unreadable is None


@pytest.mark.parametrize("transaction", [False, True])
def test_a_pipeline_is_one_round_trip(client: redis.Redis, proxy: FaultProxy, transaction: bool) -> None:
    with watching(proxy) as traffic:
        pipe = client.pipeline(transaction=transaction)
        for index in range(300):
            pipe.hset(f"user:{index} é", mapping={"name": f"n{index}", "city": "Zoë"})
        pipe.get("missing")
        results = pipe.execute()
    assert results == [2] * 300 + [None]
    assert len(traffic.round_trips) == 1 and traffic.largest() == 301
    names = [c.name for c in traffic.commands]
    assert names == (["MULTI"] if transaction else []) + ["HSET"] * 300 + ["GET"] + (["EXEC"] if transaction else [])
    assert traffic.commands[0 if not transaction else 1].args == ("user:0 é", "name", "n0", "city", "Zoë")


def test_a_pipeline_of_megabytes_read_in_many_pieces_is_one_round_trip(client: redis.Redis,
                                                                      proxy: FaultProxy) -> None:
    value = "x" * 3000
    with watching(proxy) as traffic:
        pipe = client.pipeline(transaction=False)
        for index in range(2000):
            pipe.set(f"big:{index}", value)
        pipe.execute()
        got = client.mget([f"big:{index}" for index in range(2000)])
    assert got == [value] * 2000
    assert [len(t.work) for t in traffic.round_trips] == [2000, 1] and traffic.count("MGET") == 1


def raw(proxy: FaultProxy, lease: RedisLease) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
    sock.sendall(packed(("AUTH", lease.user, lease.password), ("SELECT", str(lease.db))))
    assert read_replies(sock, 2) == [b"OK", b"OK"]  # its own database: 0 is every run's (and left alone)
    return sock


def read_replies(sock: socket.socket, count: int) -> list[object]:
    reader, got = RespReader(), []
    while len(got) < count:
        got += reader.feed(sock.recv(65536))
    return got


def packed(*commands: tuple[str, ...]) -> bytes:
    return b"".join(b"".join(redis.Connection().pack_command(*command)) for command in commands)


def test_a_command_cut_over_sends_with_long_pauses_is_one(proxy: FaultProxy, lease: RedisLease) -> None:
    sock = raw(proxy, lease)
    data = packed(("SET", "cut", "in pieces"))
    with watching(proxy) as traffic:
        for index in range(0, len(data), 5):
            sock.sendall(data[index:index + 5])
            time.sleep(GRACE_S / 5 if index < 15 else 0.02)
        assert read_replies(sock, 1) == [b"OK"]
        time.sleep(GRACE_S * 1.5)  # a command cut in the middle is one, however long the pauses
        sock.sendall(data[:9])
        time.sleep(GRACE_S * 1.5)
        sock.sendall(data[9:])
        assert read_replies(sock, 1) == [b"OK"]
    sock.close()
    assert [[c.name for c in t.commands] for t in traffic.round_trips] == [["SET"], ["SET"]]
    assert traffic.commands[0].args == ("cut", "in pieces")


def test_a_pipeline_sent_in_two_parts_with_answers_between_stays_one(proxy: FaultProxy, lease: RedisLease) -> None:
    """The server answers the first part before the second arrives: the proxy keeps that answer back
    while the client goes on sending, so the pipeline is one round trip; waiting for replies makes two."""
    sock = raw(proxy, lease)
    first, second = packed(*[("INCR", "n")] * 3), packed(*[("INCR", "n")] * 2)
    with watching(proxy) as traffic:
        sock.sendall(first)
        time.sleep(GRACE_S / 5)  # the server has answered the three by now; the client has not read them
        sock.sendall(second)
        assert read_replies(sock, 5) == [1, 2, 3, 4, 5]
        sock.sendall(first)
        assert read_replies(sock, 3) == [6, 7, 8]
        sock.sendall(second + packed(("GET", "n")))  # several commands in one send
        assert read_replies(sock, 3) == [9, 10, b"10"]
    sock.close()
    assert [len(t.commands) for t in traffic.round_trips] == [5, 3, 3]


def test_the_handshake_is_not_the_learners_work(lease: RedisLease, proxy: FaultProxy) -> None:
    with watching(proxy) as traffic:
        fresh = redis.Redis.from_url(proxy.url_for(lease.learner_url()), decode_responses=True)
        fresh.mset({"a": "1", "b": "2"})
        fresh.close()
    assert [c.name for c in traffic.commands] == ["MSET"] and len(traffic.round_trips) == 1
    assert any(c.connecting for t in traffic.started for c in t.commands)


def test_two_connections_are_counted_apart(lease: RedisLease, proxy: FaultProxy, client: redis.Redis) -> None:
    other = redis.Redis.from_url(proxy.url_for(lease.learner_url()), decode_responses=True)
    other.ping()
    with watching(proxy) as traffic:
        client.set("x", "1")
        other.get("x")
        client.get("x")
    other.close()
    assert len(traffic.round_trips) == 3 and len({t.connection for t in traffic.round_trips}) == 2


def test_unpaired_replies_make_the_stream_unreadable(client: redis.Redis, proxy: FaultProxy) -> None:
    with watching(proxy) as traffic:
        pubsub = client.pubsub()
        pubsub.subscribe("news")
        deadline = time.monotonic() + 2  # the proxy's thread reads what was sent a moment after subscribe() returns
        while traffic.unreadable is None and time.monotonic() < deadline:
            time.sleep(0.01)
        pubsub.close()
    assert traffic.unreadable is not None and "SUBSCRIBE" in traffic.unreadable


def test_limits_are_trusted_only_below_the_exact_range() -> None:
    from grader.checks.redis_wire import Traffic

    assert Traffic().more_than(EXACT_UP_TO - 1) is False
    with pytest.raises(GraderFault):
        Traffic().more_than(EXACT_UP_TO)


def test_no_tap_no_hold_and_the_proxy_still_forwards(client: redis.Redis, proxy: FaultProxy) -> None:
    started = time.monotonic()
    for _ in range(20):
        client.incr("plain")
    assert client.get("plain") == "20" and time.monotonic() - started < GRACE_S * 4


def test_a_learners_worker_through_the_proxy(tmp_path: Path, lease: RedisLease, proxy: FaultProxy) -> None:
    (tmp_path / "solution.py").write_text(
        "def loop(r, keys):\n    return [r.get(k) for k in keys]\n\n"
        "def batched(r, keys):\n    return r.mget(keys)\n")
    worker = Worker(tmp_path, {"GRADER_REDIS_URL": proxy.url_for(lease.learner_url())}, timeout_s=20)
    keys = [f"k {index} ü" for index in range(40)]
    lease.client.mset({key: key.upper() for key in keys[::2]})
    try:
        with watching(proxy) as looped:
            assert worker.call("loop", keys, inject="redis") == [k.upper() if i % 2 == 0 else None
                                                                 for i, k in enumerate(keys)]
        with watching(proxy) as batched:
            worker.call("batched", keys, inject="redis")
    finally:
        worker.close()
    assert len(looped.round_trips) == 40 and looped.count("GET") == 40
    assert len(batched.round_trips) == 1 and batched.commands[0].args == tuple(keys)


def test_an_emptied_script_cache_is_shown_to_the_proxied_client_only(client: redis.Redis, proxy: FaultProxy,
                                                                      lease: RedisLease) -> None:
    """SCRIPT FLUSH would empty every run's cache on the shared server; the answerer shows one client
    NOSCRIPT once, and a client that reloads (redis-py's Script) goes on working."""
    script = client.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])")
    assert script(keys=["n"], args=[2]) == 2
    with emptied_script_cache(proxy) as emptied:
        with pytest.raises(redis.exceptions.NoScriptError):
            client.evalsha(script.sha, 1, "n", 1)  # the lone EVALSHA is answered NOSCRIPT by the proxy
        assert client.evalsha(script.sha, 1, "n", 1) == 3  # the next passes: only one NOSCRIPT per block
        assert emptied.refused == [script.sha]
    with emptied_script_cache(proxy) as emptied:
        assert script(keys=["n"], args=[10]) == 13  # Script reloads after NOSCRIPT and calls again
        assert emptied.refused == [script.sha]
    direct = redis.Redis.from_url(lease.admin_url)
    assert direct.script_exists(script.sha) == [True], "the server's own cache was never emptied"
    with emptied_script_cache(proxy) as emptied, client.pipeline(transaction=False) as pipe:
        pipe.get("n").evalsha(script.sha, 1, "n", 1)
        assert pipe.execute() == ["13", 14]  # not a lone EVALSHA: passed on, never answered out of order
        assert emptied.refused == []
