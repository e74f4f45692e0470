#!/usr/bin/env python3
"""uart_rx waveform (one bit per clock, 250 000 clocks, divisor 24 = the ice40 profile's 1 Mbaud at
24 MHz) carrying five host commands, for ice40_core_tb.v. Writes rx.mem in the current directory.
The CRC is zlib's CRC-32, which is the protocol's CRC-32/ISO-HDLC (docs/protocol.md)."""
import zlib

CLOCKS, DIVISOR = 250_000, 24


def frame(ftype, seq, payload):
    body = bytes([ftype]) + seq.to_bytes(2, "little") + bytes([len(payload)]) + bytes(payload)
    return b"\xa5\x5a" + body + zlib.crc32(body).to_bytes(4, "little")


# REQUEST_STATUS, SET_MODE raw, SET_MODE conditioned, CLEAR_ALARMS (after the stuck-at burst the
# bench drives at clocks 140 000..142 000), REQUEST_STATUS.
SCHEDULE = [(30_000, frame(0x83, 0, [])), (60_000, frame(0x81, 1, [1])), (100_000, frame(0x81, 2, [0])),
            (150_000, frame(0x82, 3, [])), (200_000, frame(0x83, 4, []))]

line = [1] * CLOCKS
for start, data in SCHEDULE:
    t = start
    for byte in data:
        for bit in [0] + [(byte >> i) & 1 for i in range(8)] + [1]:
            line[t:t + DIVISOR] = [bit] * DIVISOR
            t += DIVISOR
with open("rx.mem", "w") as f:
    f.write("\n".join(map(str, line)) + "\n")
