#!/usr/bin/env python3
"""Regenerate the seed corpus of fuzz_consumer (tests/fuzz/corpus/).

Each seed is a well-formed session: valid records (seq 0, 1, ...) laid out from
the start index, a producer that publishes them, and a consumer that peeks,
copies, releases, publishes and final-checks.  The fuzzer mutates from there.
"""
import os
import struct

HDR = 24

def rec(seq, payload, flags=0, gso=0):
    h = struct.pack('<IHHHHHHII', len(payload), flags, gso, 0, 0, 0, 0, seq, 0)
    b = h + payload
    return b + b'\0' * ((-len(b)) % 8)

def seed(order, start, lens, extra_ops=b'', gso=0, flags=0):
    data = b''.join(rec(i, bytes((i * 7 + j) & 0xff for j in range(n)), flags, gso)
                    for i, n in enumerate(lens))
    ops = [struct.pack('<BI', 1, len(data))]          # prod = cons + len(data)
    for n in lens:
        ops += [struct.pack('<BI', 2, 0),              # peek
                struct.pack('<BI', 3, (n << 16)),      # copy whole frame
                struct.pack('<BI', 4, 0)]              # release
    ops += [struct.pack('<BI', 5, 0), struct.pack('<BI', 6, 0), struct.pack('<BI', 2, 0)]
    ops = b''.join(ops) + extra_ops
    nops = len(ops) // 5
    return bytes([order]) + struct.pack('<IH', start, nops) + ops + data

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, 'corpus')
os.makedirs(out, exist_ok=True)
seeds = {
    'small-records': seed(0, 0, [1, 8, 60, 64, 100]),
    'wrap-order0': seed(0, 4096 - 40, [20, 200, 3]),
    'straddle-order1': seed(1, 4096 - 16, [1500, 64, 9]),
    'big-record': seed(1, 8, [8000]),
    'gso-csum': seed(0, 64, [300, 300], gso=0x81, flags=3),
    'double-fetch': seed(0, 0, [40, 40], extra_ops=struct.pack('<BI', 9, 0xff000000)),
    'index-wrap': seed(0, 0xfffffff0, [16, 16, 16]),
}
for name, b in seeds.items():
    with open(os.path.join(out, name), 'wb') as f:
        f.write(b)
