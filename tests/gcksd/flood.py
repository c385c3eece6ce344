#!/usr/bin/env python3
"""Bad input for the multi-process tests of mpsec-gcksd (standard library only).

  flood.py proxy LISTEN_PORT TARGET_PORT OUT_DIR   relays one member's TCP connection to the
                                                   daemon, saving each frame the member sends
  flood.py capture GROUP:PORT SECONDS OUT_DIR      saves the datagrams sent to a multicast group
  flood.py attack TCP_PORT GROUP:PORT CAP_DIR SECONDS SEED
      sends, as fast as it can for SECONDS: framed TCP messages that are random, or captured
      registration messages truncated, bit-flipped, extended or replayed verbatim; frames
      with an oversize length; unframed garbage; and to the multicast group random
      datagrams and captured rekeys, heartbeats and group data truncated, flipped or replayed.
      Prints a JSON summary of what it sent.
"""
import json
import os
import random
import socket
import struct
import sys
import threading
import time


def frame(payload):
    return struct.pack(">I", len(payload)) + payload


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def proxy(listen_port, target_port, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", int(listen_port)))
    server.listen(4)
    count = [0]

    def pump(src, dst, save):
        try:
            while True:
                header = read_exact(src, 4)
                if header is None:
                    break
                body = read_exact(src, struct.unpack(">I", header)[0])
                if body is None:
                    break
                if save:
                    path = os.path.join(out_dir, "tcp-%03d.bin" % count[0])
                    count[0] += 1
                    with open(path, "wb") as f:
                        f.write(body)
                dst.sendall(header + body)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    while True:
        client, _ = server.accept()
        upstream = socket.create_connection(("127.0.0.1", int(target_port)))
        threading.Thread(target=pump, args=(client, upstream, True), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, client, False), daemon=True).start()


def multicast_receiver(group, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", port))
    mreq = socket.inet_aton(group) + socket.inet_aton("127.0.0.1")
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    return s


def capture(endpoint, seconds, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    group, port = endpoint.rsplit(":", 1)
    s = multicast_receiver(group, int(port))
    s.settimeout(0.2)
    end = time.time() + float(seconds)
    n = 0
    while time.time() < end:
        try:
            data = s.recv(65535)
        except socket.timeout:
            continue
        with open(os.path.join(out_dir, "udp-%04d.bin" % n), "wb") as f:
            f.write(data)
        n += 1
    print(n)


def mutate(rng, data):
    kind = rng.randrange(4)
    if kind == 0 and len(data) > 1:  # truncated
        return data[: rng.randrange(1, len(data))], "truncated"
    if kind == 1:  # a few flipped bits
        b = bytearray(data)
        for _ in range(rng.randrange(1, 4)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        return bytes(b), "flipped"
    if kind == 2:  # trailing bytes
        return data + rng.randbytes(rng.randrange(1, 64)), "extended"
    return data, "replayed"


def attack(tcp_port, endpoint, cap_dir, seconds, seed):
    rng = random.Random(int(seed))
    group, port = endpoint.rsplit(":", 1)
    port = int(port)
    tcp_caps, udp_caps = [], []
    for name in sorted(os.listdir(cap_dir)):
        with open(os.path.join(cap_dir, name), "rb") as f:
            (tcp_caps if name.startswith("tcp-") else udp_caps).append(f.read())
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    udp.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
    stats = {"tcp_connections": 0, "tcp_frames": 0, "tcp_oversize_connections": 0,
             "tcp_garbage_connections": 0, "udp_datagrams": 0, "udp_replayed": 0}
    end = time.time() + float(seconds)
    while time.time() < end:
        # One connection of framed messages, closed by us.
        c = socket.create_connection(("127.0.0.1", int(tcp_port)))
        stats["tcp_connections"] += 1
        burst = b""
        for _ in range(50):
            if tcp_caps and rng.random() < 0.7:
                payload, _ = mutate(rng, rng.choice(tcp_caps))
            else:
                payload = rng.randbytes(rng.randrange(0, 600))
            burst += frame(payload)
            stats["tcp_frames"] += 1
        c.sendall(burst)
        c.close()
        # Now and then a frame announcing more than the daemon accepts, or bytes that are not
        # frames at all, each on its own connection.
        if rng.random() < 0.1:
            c = socket.create_connection(("127.0.0.1", int(tcp_port)))
            c.sendall(struct.pack(">I", 0xFFFFFFF0) + rng.randbytes(100))
            c.close()
            stats["tcp_oversize_connections"] += 1
        if rng.random() < 0.1:
            c = socket.create_connection(("127.0.0.1", int(tcp_port)))
            c.sendall(rng.randbytes(3))
            c.close()
            stats["tcp_garbage_connections"] += 1
        # Datagrams to the group.
        for _ in range(50):
            if udp_caps and rng.random() < 0.6:
                data, how = mutate(rng, rng.choice(udp_caps))
                if how == "replayed":
                    stats["udp_replayed"] += 1
            else:
                data = rng.randbytes(rng.randrange(0, 1400))
            try:
                udp.sendto(data, (group, port))
                stats["udp_datagrams"] += 1
            except OSError:
                pass
        time.sleep(0.002)  # leave the members' receive buffers a chance
    print(json.dumps(stats))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"proxy": proxy, "capture": capture, "attack": attack}[cmd](*args)
