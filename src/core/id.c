/* id.c — ULID-layout ids; see id.h. */
#include "core/id.h"
#include "core/timeutil.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
static pthread_mutex_t id_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t last_ms = -1;
static uint8_t last_rand[10];

void id_new(char out[ID_SIZE])
{
    uint8_t bytes[16];
    int64_t ms = time_now_ms();
    pthread_mutex_lock(&id_lock);
    if (ms <= last_ms) {
        ms = last_ms;
        /* same millisecond: increment the 80-bit random part */
        for (int i = 9; i >= 0; i--)
            if (++last_rand[i] != 0)
                break;
    } else {
        randombytes_buf(last_rand, sizeof last_rand);
        last_rand[0] &= 0x7f; /* leave head-room for increments */
        last_ms = ms;
    }
    for (int i = 0; i < 6; i++)
        bytes[i] = (uint8_t)((uint64_t)ms >> (40 - 8 * i));
    memcpy(bytes + 6, last_rand, 10);
    pthread_mutex_unlock(&id_lock);

    /* 128 bits -> 26 base32 characters, most significant first (2 pad bits
     * above the top): character c is the five bits from bit 125 - 5c up
     * (bit 0 the least significant) of hi:lo */
    uint64_t hi = 0, lo = 0;
    for (int i = 0; i < 8; i++) {
        hi = (hi << 8) | bytes[i];
        lo = (lo << 8) | bytes[8 + i];
    }
    for (int c = 0; c < ID_LEN; c++) {
        int s = 125 - 5 * c;
        uint64_t five = s >= 64 ? hi >> (s - 64) : s > 59 ? (lo >> s) | (hi << (64 - s)) : lo >> s;
        out[c] = alphabet[five & 31u];
    }
    out[ID_LEN] = '\0';
}

bool id_is_valid(const char *s)
{
    if (!s || strlen(s) != ID_LEN || s[0] > '7')
        return false;
    for (int i = 0; i < ID_LEN; i++)
        if (!strchr(alphabet, s[i]) || s[i] == '\0')
            return false;
    return true;
}
