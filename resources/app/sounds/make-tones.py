#!/usr/bin/python3
# Makes the built-in alarm tones (WAV; then encode them to Ogg Vorbis:
#   gst-launch-1.0 filesrc location=X.wav ! wavparse ! audioconvert ! vorbisenc quality=0.3 ! oggmux ! filesink location=X.oga)
#
# One tone per priority, 50 % apart in frequency (NUREG-0700 asks for at least
# 20 % between concurrent alarm tones), each with its own rhythm so the two are
# told apart even by someone who hears pitch poorly:
#   high (a stopped belt)  988 Hz, three 0.2 s pulses, 0.1 s apart, every 1.5 s
#   medium (a warning)     659 Hz, two 0.3 s pulses, 0.2 s apart, every 2.5 s
#   low                    440 Hz, one 0.4 s pulse every 4 s
# Each file is one period: the app loops it until the alarm is silenced or
# acknowledged.
import math, struct, wave

RATE = 48000
TONES = {
    "alarm-high": (988.0, [(0.2, 0.1)] * 3, 1.5),
    "alarm-medium": (659.0, [(0.3, 0.2)] * 2, 2.5),
    "alarm-low": (440.0, [(0.4, 0.0)], 4.0),
}

def pulse(freq, seconds, amp=0.6, ramp=0.005):
    n = int(seconds * RATE)
    r = int(ramp * RATE)
    out = []
    for i in range(n):
        env = min(1.0, i / r, (n - 1 - i) / r)
        # a pure tone: its pitch is what tells the priorities apart
        out.append(amp * env * math.sin(2 * math.pi * freq * i / RATE))
    return out

for name, (freq, pulses, period) in TONES.items():
    samples = []
    for on, off in pulses:
        samples += pulse(freq, on)
        samples += [0.0] * int(off * RATE)
    samples += [0.0] * (int(period * RATE) - len(samples))
    with wave.open(name + ".wav", "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(32767 * s)) for s in samples))
