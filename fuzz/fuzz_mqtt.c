/* libFuzzer target: the MQTT packet framing (src/lib/live/mqtt.c), packet
 * after packet as the probe reads them, and CONNECT built from the input. */
#include "live/live_internal.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct live_mqtt_packet p;
    size_t off = 0;
    volatile size_t sink = 0;
    while (off < size) {
        if (live_mqtt_parse(data + off, size - off, &p) != 1)
            break;
        if (p.length == 0 || p.length > size - off ||
            p.payload + p.payload_length > data + off + p.length)
            __builtin_trap();
        if (p.payload_length)
            sink += p.payload[p.payload_length - 1];
        off += p.length;
    }
    /* CONNECT with user and password taken from the input. */
    char user[300], password[300];
    size_t half = size / 2 < sizeof(user) - 1 ? size / 2 : sizeof(user) - 1;
    memcpy(user, data, half);
    user[half] = '\0';
    size_t rest = size - size / 2 < sizeof(password) - 1 ? size - size / 2 : sizeof(password) - 1;
    memcpy(password, data + size / 2, rest);
    password[rest] = '\0';
    uint8_t out[1100];
    size_t n = live_mqtt_connect(out, sizeof(out), "fuzz", user, password);
    if (n && live_mqtt_parse(out, n, &p) != 1)
        __builtin_trap(); /* what we build must parse */
    (void)sink;
    return 0;
}
