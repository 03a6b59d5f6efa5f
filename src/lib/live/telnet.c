/* Telnet: option negotiation, prompt detection, default logins and open
 * shells. A login or a shell counts only when a shell evaluates a command
 * we send (echo of an arithmetic expansion with a random nonce) and its
 * result comes back: a '#' or '$' in a banner, an echo of what we typed or
 * a prompt proves nothing. */
#include "live/live_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum { IAC = 255, DONT = 254, DO = 253, WONT = 252, WILL = 251, SB = 250, SE = 240 };
enum { OPT_ECHO = 1, OPT_SGA = 3 };
enum { ST_DATA, ST_IAC, ST_OPTION, ST_SUB, ST_SUB_IAC };

#define SUB_MAX 4096 /* a subnegotiation longer than this is dropped as garbage */

static void put(uint8_t *out, size_t cap, size_t *n, uint8_t b)
{
    if (*n < cap)
        out[(*n)++] = b;
}

void live_telnet_filter(struct live_telnet *t, const uint8_t *in, size_t len, uint8_t *text,
                        size_t *text_len, uint8_t *reply, size_t *reply_len)
{
    size_t tn = 0, rn = 0, tcap = *text_len, rcap = *reply_len;
    for (size_t i = 0; i < len; i++) {
        uint8_t b = in[i];
        switch (t->state) {
        case ST_DATA:
            if (b == IAC)
                t->state = ST_IAC;
            else if (b != 0)
                put(text, tcap, &tn, b);
            break;
        case ST_IAC:
            if (b == IAC) {
                put(text, tcap, &tn, b);
                t->state = ST_DATA;
            } else if (b >= WILL && b <= DONT) {
                t->verb = b;
                t->state = ST_OPTION;
            } else if (b == SB) {
                t->sub_len = 0;
                t->state = ST_SUB;
            } else {
                t->state = ST_DATA; /* NOP, GA, DM...: nothing to do */
            }
            break;
        case ST_OPTION: {
            /* Let the server echo and suppress go-ahead; refuse all else.
             * Answers only whole (3 bytes) or not at all. */
            uint8_t answer;
            if (t->verb == WILL)
                answer = (b == OPT_ECHO || b == OPT_SGA) ? DO : DONT;
            else if (t->verb == DO)
                answer = WONT;
            else
                answer = 0; /* WONT/DONT need no answer */
            if (answer && rn + 3 <= rcap) {
                reply[rn++] = IAC;
                reply[rn++] = answer;
                reply[rn++] = b;
            }
            t->state = ST_DATA;
            break;
        }
        case ST_SUB:
            if (b == IAC)
                t->state = ST_SUB_IAC;
            else if (++t->sub_len > SUB_MAX)
                t->state = ST_DATA;
            break;
        case ST_SUB_IAC:
            t->state = b == SE ? ST_DATA : ST_SUB;
            break;
        default:
            t->state = ST_DATA;
        }
    }
    *text_len = tn;
    *reply_len = rn;
}

static int ends_with_word(const char *line, size_t n, const char *word)
{
    size_t w = strlen(word);
    if (n < w)
        return 0;
    for (size_t i = 0; i < w; i++)
        if (tolower((unsigned char)line[n - w + i]) != word[i])
            return 0;
    return 1;
}

static int contains_word(const uint8_t *text, size_t len, const char *word)
{
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= len; i++) {
        size_t k = 0;
        while (k < w && tolower(text[i + k]) == word[k])
            k++;
        if (k == w)
            return 1;
    }
    return 0;
}

enum live_prompt live_telnet_prompt(const uint8_t *text, size_t len)
{
    /* The last non-empty line, trailing blanks removed. */
    size_t end = len;
    while (end && (text[end - 1] == ' ' || text[end - 1] == '\t'))
        end--;
    size_t start = end;
    while (start && text[start - 1] != '\n' && text[start - 1] != '\r')
        start--;
    char line[160];
    size_t n = end - start;
    if (n > sizeof(line) - 1) {
        start = end - (sizeof(line) - 1);
        n = sizeof(line) - 1;
    }
    memcpy(line, text + start, n);
    line[n] = '\0';
    if (ends_with_word(line, n, "password:") || ends_with_word(line, n, "passwd:") ||
        ends_with_word(line, n, "password :"))
        return LIVE_PROMPT_PASSWORD;
    if (ends_with_word(line, n, "login:") || ends_with_word(line, n, "username:") ||
        ends_with_word(line, n, "user:") || ends_with_word(line, n, "user name:") ||
        ends_with_word(line, n, "login :"))
        return LIVE_PROMPT_LOGIN;
    size_t from = len > 512 ? len - 512 : 0;
    if (contains_word(text + from, len - from, "incorrect") ||
        contains_word(text + from, len - from, "denied") ||
        contains_word(text + from, len - from, "login failed") ||
        contains_word(text + from, len - from, "authentication failed") ||
        contains_word(text + from, len - from, "invalid"))
        return LIVE_PROMPT_REFUSED;
    return LIVE_PROMPT_NONE;
}

/* ---- one connection --------------------------------------------------------- */

#define TEXT_KEEP 4096

struct session {
    struct live_conn c;
    struct live_telnet t;
    uint8_t text[TEXT_KEEP];
    size_t len;
    int closed;
};

/* One read: filters, answers the negotiation, keeps the text's tail.
 * > 0 text bytes added (may be 0 for pure negotiation), -1 nothing came. */
static int session_read(struct session *s, unsigned timeout_ms)
{
    uint8_t raw[2048], text[2048], reply[1536];
    if (live_stopped(s->c.ctx)) { /* Ctrl-C: every wait below ends now */
        s->closed = 1;
        return -1;
    }
    ssize_t r = live_recv(&s->c, raw, sizeof(raw), timeout_ms);
    if (r == 0)
        s->closed = 1;
    if (r <= 0)
        return -1;
    size_t tn = sizeof(text), rn = sizeof(reply);
    live_telnet_filter(&s->t, raw, (size_t)r, text, &tn, reply, &rn);
    if (rn && live_send(&s->c, reply, rn))
        s->closed = 1;
    if (s->len + tn > TEXT_KEEP) {
        size_t drop = s->len + tn - TEXT_KEEP;
        if (drop > s->len)
            drop = s->len;
        memmove(s->text, s->text + drop, s->len - drop);
        s->len -= drop;
    }
    if (tn > TEXT_KEEP)
        tn = TEXT_KEEP;
    memcpy(s->text + s->len, text, tn);
    s->len += tn;
    return (int)tn;
}

/* Reads until a prompt shows (or the time is up / the peer closed). */
static enum live_prompt wait_prompt(struct session *s, unsigned total_ms)
{
    int64_t deadline = live_now_ns() + (int64_t)total_ms * 1000000;
    for (;;) {
        enum live_prompt p = live_telnet_prompt(s->text, s->len);
        if (p != LIVE_PROMPT_NONE || s->closed)
            return p;
        int64_t left = (deadline - live_now_ns()) / 1000000;
        if (left <= 0)
            return LIVE_PROMPT_NONE;
        session_read(s, (unsigned)left);
    }
}

static int has_visible_text(const struct session *s)
{
    for (size_t i = 0; i < s->len; i++)
        if (!isspace(s->text[i]))
            return 1;
    return 0;
}

static int contains(const uint8_t *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return 1;
    return 0;
}

/* Sends a command a shell evaluates and waits for its result. 1: a shell
 * answered; 0: refused, closed or silent. */
static int shell_answers(struct session *s, unsigned total_ms)
{
    uint32_t nonce = 0;
    live_random(&nonce, sizeof(nonce));
    char command[64], marker[32];
    snprintf(command, sizeof(command), "echo IC$((6*7))_%08x\r\n", nonce);
    snprintf(marker, sizeof(marker), "IC42_%08x", nonce);
    s->len = 0;
    if (live_send(&s->c, command, strlen(command)))
        return 0;
    int64_t deadline = live_now_ns() + (int64_t)total_ms * 1000000;
    for (;;) {
        if (contains(s->text, s->len, marker))
            return 1;
        enum live_prompt p = live_telnet_prompt(s->text, s->len);
        if (p == LIVE_PROMPT_REFUSED || s->closed)
            return 0;
        int64_t left = (deadline - live_now_ns()) / 1000000;
        if (left <= 0)
            return 0;
        session_read(s, (unsigned)left);
    }
}

static int session_open(struct live_service *svc, struct session *s)
{
    memset(s, 0, sizeof(*s));
    return live_connect(svc->ctx, svc->gate, svc->target, svc->port, &s->c);
}

static enum live_login telnet_attempt(struct live_service *svc, const struct live_cred *cred)
{
    struct session s;
    if (session_open(svc, &s))
        return LIVE_LOGIN_UNKNOWN;
    unsigned io = svc->ctx->o.io_timeout_ms;
    enum live_login result = LIVE_LOGIN_UNKNOWN;
    enum live_prompt p = wait_prompt(&s, io + svc->ctx->o.banner_wait_ms);
    char line[300];
    int64_t asked = live_now_ns(), prompt_ms = 0;
    if (p == LIVE_PROMPT_LOGIN) {
        snprintf(line, sizeof(line), "%s\r\n", cred->user);
        s.len = 0;
        if (live_send(&s.c, line, strlen(line)))
            goto done;
        p = wait_prompt(&s, io);
        prompt_ms = (live_now_ns() - asked) / 1000000;
    }
    if (p == LIVE_PROMPT_REFUSED) {
        result = LIVE_LOGIN_FAILED;
        goto done;
    }
    if (p != LIVE_PROMPT_PASSWORD)
        goto done;
    snprintf(line, sizeof(line), "%s\r\n", cred->password);
    s.len = 0;
    if (live_send(&s.c, line, strlen(line)))
        goto done;
    /* Wait for the verdict: something visible after the password (a
     * failure comes after the login's delay, so allow the io timeout
     * twice). */
    int64_t sent = live_now_ns(), deadline = sent + (int64_t)io * 2 * 1000000;
    while (!has_visible_text(&s) && !s.closed) {
        int64_t left = (deadline - live_now_ns()) / 1000000;
        if (left <= 0)
            break;
        session_read(&s, (unsigned)left);
    }
    int64_t verdict_ms = (live_now_ns() - sent) / 1000000;
    /* Let the rest of the burst arrive (a prompt after "Login incorrect"). */
    while (session_read(&s, 200) >= 0)
        ;
    p = live_telnet_prompt(s.text, s.len);
    if (p == LIVE_PROMPT_REFUSED || p == LIVE_PROMPT_LOGIN || p == LIVE_PROMPT_PASSWORD) {
        live_note_refusal(svc, verdict_ms, prompt_ms); /* lockout.c may reuse it */
        result = LIVE_LOGIN_FAILED;
        goto done;
    }
    if (s.closed)
        goto done;
    result = shell_answers(&s, io) ? LIVE_LOGIN_OK : LIVE_LOGIN_UNKNOWN;
done:
    live_close(&s.c);
    return result;
}

static void telnet_run(struct live_service *svc)
{
    struct session s;
    if (session_open(svc, &s))
        return;
    unsigned io = svc->ctx->o.io_timeout_ms;
    /* The banner the scan saw may hold the prompt already; read again here
     * since negotiation happens on this connection. */
    enum live_prompt p = wait_prompt(&s, io + svc->ctx->o.banner_wait_ms);
    char evidence[256], shown[120];
    size_t from = s.len > 100 ? s.len - 100 : 0;
    live_printable(s.text + from, s.len - from, shown, sizeof(shown));
    if (p == LIVE_PROMPT_LOGIN || p == LIVE_PROMPT_PASSWORD) {
        live_close(&s.c);
        snprintf(evidence, sizeof(evidence), "telnet asks for a login in the clear: '%s'", shown);
        live_finding(svc, "device.plaintext-login", evidence);
        live_try_credentials(svc, "telnet", 0, telnet_attempt);
        return;
    }
    if (!s.closed && shell_answers(&s, io)) {
        snprintf(evidence, sizeof(evidence),
                 "telnet ran a command without any login (the shell evaluated "
                 "echo IC$((6*7)) and answered IC42)");
        live_finding(svc, "device.unauthenticated-shell", evidence);
    }
    live_close(&s.c);
}

static int telnet_banner(const uint8_t *banner, size_t len)
{
    return len >= 2 && banner[0] == IAC && banner[1] >= WILL;
}

static const uint16_t telnet_ports[] = {23, 2323, 0};

const struct live_probe live_probe_telnet = {
    .name = "telnet",
    .ports = telnet_ports,
    .banner_says = telnet_banner,
    .run = telnet_run,
};
