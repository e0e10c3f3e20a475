#!/usr/bin/env python3
"""Holds every packet of one netfilter queue for a fixed time, then accepts it: a userspace `netem delay`.

This kernel has no sch_netem, so bench:network delays packets with an nftables `queue` rule and this listener, run
inside the customer's network namespace (netlink queues are per namespace). Standard library only: Node has no
netlink sockets. Usage: nfqueue_delay.py QUEUE_NUM DELAY_MS. Prints "ready" once bound; exits on SIGTERM.
"""
import collections
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_VERDICT = 1
NFQNL_MSG_CONFIG = 2
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_CFG_QUEUE_MAXLEN = 3
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
NF_ACCEPT = 1


def attr(kind: int, payload: bytes) -> bytes:
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * (-length % 4)


def message(msg: int, queue: int, attrs: bytes, flags: int = NLM_F_REQUEST) -> bytes:
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(queue)) + attrs
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | msg, flags, 0, 0) + body


def packet_ids(data: bytes):
    offset = 0
    while offset + 16 <= len(data):
        length, kind = struct.unpack_from("=IH", data, offset)
        if length < 16:
            return
        if kind == NLMSG_ERROR:
            (error,) = struct.unpack_from("=i", data, offset + 16)
            if error != 0:
                raise OSError(-error, "nfqueue configuration refused")
        elif kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
            at = offset + 20
            while at + 4 <= offset + length:
                attr_len, attr_kind = struct.unpack_from("=HH", data, at)
                if attr_len < 4:
                    break
                if attr_kind & 0x3FFF == NFQA_PACKET_HDR:
                    yield struct.unpack_from("!I", data, at + 4)[0]
                at += (attr_len + 3) & ~3
        offset += (length + 3) & ~3


def main() -> None:
    queue, delay = int(sys.argv[1]), float(sys.argv[2]) / 1000
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, lambda *_: sys.exit(0))
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((0, 0))
    config = attr(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, 0))
    config += attr(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META))
    config += attr(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", 8192))
    sock.send(message(NFQNL_MSG_CONFIG, queue, config, NLM_F_REQUEST | NLM_F_ACK))
    list(packet_ids(sock.recv(65536)))
    print("ready", flush=True)
    held: collections.deque = collections.deque()
    while True:
        now = time.monotonic()
        while held and held[0][0] <= now:
            verdict = attr(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, held.popleft()[1]))
            sock.send(message(NFQNL_MSG_VERDICT, queue, verdict))
        sock.settimeout(max(0.0005, held[0][0] - now) if held else None)
        try:
            data = sock.recv(1 << 20)
        except socket.timeout:
            continue
        except OSError:
            continue  # ENOBUFS: the kernel dropped messages the listener was too slow for; it goes on.
        due = time.monotonic() + delay
        held.extend((due, packet_id) for packet_id in packet_ids(data))


if __name__ == "__main__":
    main()
