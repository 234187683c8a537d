"""One benchmark device as its own process: publish COUNT readings at QoS 1 as fast as the broker
acknowledges them, or paced at RATE readings/s. ``python -m bench.mqtt_publisher HOST PORT DEVICE COUNT
[RATE]`` with the password in ``CHIPLA_BENCH_PASSWORD``; prints the seconds it took once every PUBACK
is in."""

from __future__ import annotations

import os
import sys
import threading
import time

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from broker.clock import now


def main() -> None:
    host, port, device, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    rate = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
    topic = f"chipla/243035/water_level/{device}"
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-{device}", protocol=mqtt.MQTTv311)
    client.username_pw_set(device, os.environ["CHIPLA_BENCH_PASSWORD"])
    client.max_inflight_messages_set(500)
    client.max_queued_messages_set(0)
    acked = 0
    done = threading.Event()

    def on_publish(_c: object, _u: object, _mid: int, _rc: object, _p: object) -> None:
        nonlocal acked
        acked += 1
        if acked == count:
            done.set()

    client.on_publish = on_publish
    client.connect(host, port)
    client.loop_start()
    sys.stdin.readline()  # start together with the other publishers
    started = time.monotonic()
    for seq in range(count):
        if rate and seq % 10 == 0:
            ahead = started + seq / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        stamp = now().isoformat(timespec="microseconds")
        client.publish(topic, f'{{"time":"{stamp}","seq":{seq},"values":{{"waterLevel":'
                              f'{{"value":{0.5 + (seq % 100) / 100:.2f},"unit":"m"}}}}}}', qos=1)
    done.wait(600)
    print(f"{time.monotonic() - started:.3f}", flush=True)
    client.disconnect()
    client.loop_stop()


if __name__ == "__main__":
    main()
