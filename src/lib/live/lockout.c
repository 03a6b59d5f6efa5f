/* Brute-force protection (provision 5.1-5), only with --lockout (or
 * --intrusive), which could lock the owner out: after the
 * dictionary, a series of wrong passwords for the service's best-known user
 * on telnet, SSH, FTP or HTTP basic, timing each refusal. Failures that are
 * answered late (>= 1 s), a service that stops answering or refuses us
 * after failures, count as throttling (a pass, with the timings); a series
 * answered at full speed is a finding, with the timings as evidence.
 *
 * A refusal is clearly delayed when it takes 1 s or more and at least 4
 * times the session's answer before it (the password prompt, FTP's 331,
 * the SSH handshake). The series ends after 3 clearly delayed refusals in a
 * row; fast answers always get all 10 tries, so a lockout after several
 * fast failures is still seen. When the dictionary's own failures (at
 * least 3, every one) were clearly delayed, they are the timings reported
 * and no series is sent. */
#include "live/live_internal.h"

#include <libssh/libssh.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOCKOUT_ATTEMPTS 10
#define LOCKOUT_DELAY_MS 1000 /* a refusal this late is deliberate */
#define LOCKOUT_DELAY_RATIO 4 /* ... and this many times the answer before it */
#define LOCKOUT_CLEAR_RUN 3   /* clearly delayed refusals in a row that settle it */

enum lock_result {
    LOCK_ANSWERED, /* the wrong password was refused (ms holds how fast) */
    LOCK_REFUSED,  /* no connection, or the service turned us away */
    LOCK_SILENT,   /* no answer within the wait */
};

struct lockout {
    struct live_service *s;
    const char *user;
    struct live_conn c; /* a session kept between attempts (FTP, telnet) */
    struct live_telnet t;
    uint8_t text[1024];
    size_t len;
    int closes; /* sessions the server ended after failures */
};

static int64_t ms_since(int64_t start)
{
    return (live_now_ns() - start) / 1000000;
}

static int clearly_delayed(int64_t ms, int64_t baseline_ms)
{
    return ms >= LOCKOUT_DELAY_MS && ms >= LOCKOUT_DELAY_RATIO * baseline_ms;
}

void live_note_refusal(struct live_service *s, int64_t ms, int64_t baseline_ms)
{
    size_t slot = atomic_fetch_add(&s->refusals.count, 1);
    if (slot >= LIVE_REFUSALS_MAX)
        return;
    s->refusals.ms[slot] = ms > INT32_MAX ? INT32_MAX : (int32_t)ms;
    s->refusals.baseline[slot] = baseline_ms > INT32_MAX ? INT32_MAX : (int32_t)baseline_ms;
}

/* ---- FTP: USER/PASS on one control connection, reopened when closed ----------------------- */

static int ftp_reply(struct lockout *l, struct live_ftp_reply *r, unsigned timeout_ms)
{
    for (;;) {
        if (l->len) {
            int got = live_ftp_parse_reply(l->text, l->len, r);
            if (got < 0)
                return -1;
            if (got > 0) {
                memmove(l->text, l->text + r->length, l->len - r->length);
                l->len -= r->length;
                return 0;
            }
        }
        if (l->len == sizeof(l->text))
            return -1;
        ssize_t n = live_recv(&l->c, l->text + l->len, sizeof(l->text) - l->len, timeout_ms);
        if (n <= 0)
            return n == 0 ? 1 : -1; /* 1: closed */
        l->len += (size_t)n;
    }
}

static enum lock_result ftp_once(struct lockout *l, const char *password, int64_t *ms,
                                 int64_t *baseline)
{
    struct live_ftp_reply r;
    unsigned wait = 2 * l->s->ctx->o.io_timeout_ms;
    char line[200];
    int64_t start = 0;
    int rc = 1;
    /* A session the server has ended shows at USER: reconnect once. */
    for (int tries = 0; tries < 2 && rc > 0; tries++) {
        if (l->c.fd < 0) {
            l->len = 0;
            if (live_connect(l->s->ctx, l->s->gate, l->s->target, l->s->port, &l->c) ||
                ftp_reply(l, &r, wait) || r.code != 220)
                return LOCK_REFUSED;
        }
        snprintf(line, sizeof(line), "USER %s\r\n", l->user);
        start = live_now_ns();
        rc = live_send(&l->c, line, strlen(line)) ? 1 : ftp_reply(l, &r, wait);
        if (rc > 0) {
            live_close(&l->c);
            l->closes++;
        }
    }
    if (rc > 0)
        return LOCK_REFUSED;
    if (rc == 0 && r.code != 331)
        return LOCK_REFUSED; /* no password asked (an anonymous-only server): nothing to time */
    *baseline = ms_since(start);
    if (rc == 0) {
        snprintf(line, sizeof(line), "PASS %s\r\n", password);
        start = live_now_ns();
        if (live_send(&l->c, line, strlen(line)))
            return LOCK_REFUSED;
        rc = ftp_reply(l, &r, wait);
    }
    *ms = ms_since(start);
    if (rc < 0)
        return LOCK_SILENT;
    if (rc > 0 || r.code == 421) { /* the server ended the session */
        live_close(&l->c);
        l->closes++;
        return rc > 0 ? LOCK_ANSWERED : LOCK_REFUSED;
    }
    return r.code == 530 ? LOCK_ANSWERED : LOCK_REFUSED;
}

/* ---- HTTP basic: one GET per attempt ---------------------------------------------------- */

static enum lock_result http_once(struct lockout *l, const char *password, int64_t *ms,
                                  int64_t *baseline)
{
    struct live_service *s = l->s;
    char auth[400], request[800];
    if (live_http_basic(l->user, password, auth, sizeof(auth)))
        return LOCK_REFUSED;
    int v6 = s->target->addr.ss_family == AF_INET6;
    snprintf(request, sizeof(request),
             "GET / HTTP/1.1\r\nHost: %s%s%s:%u\r\nUser-Agent: iotcop\r\nAuthorization: %s\r\n"
             "Connection: close\r\n\r\n",
             v6 ? "[" : "", s->target->address, v6 ? "]" : "", s->port, auth);
    struct live_conn c;
    *baseline = 0; /* nothing answers before the verdict */
    if (live_connect(s->ctx, s->gate, s->target, s->port, &c))
        return LOCK_REFUSED;
    int64_t start = live_now_ns();
    enum lock_result result = LOCK_REFUSED;
    uint8_t buf[512];
    ssize_t n = live_send(&c, request, strlen(request))
                    ? -1
                    : live_recv(&c, buf, sizeof(buf) - 1, 2 * s->ctx->o.io_timeout_ms);
    *ms = ms_since(start);
    if (n < 0)
        result = LOCK_SILENT;
    else if (n >= 12 && memcmp(buf, "HTTP/1.", 7) == 0 && memcmp(buf + 9, "401", 3) == 0)
        result = LOCK_ANSWERED; /* 403, 429, 503 ...: turned away */
    live_close(&c);
    return result;
}

/* ---- telnet: login prompts on one session, reopened when closed ------------------------- */

static enum live_prompt telnet_wait(struct lockout *l, unsigned total_ms, int *closed)
{
    int64_t deadline = live_now_ns() + (int64_t)total_ms * 1000000;
    for (;;) {
        enum live_prompt p = live_telnet_prompt(l->text, l->len);
        if (p != LIVE_PROMPT_NONE)
            return p;
        int64_t left = (deadline - live_now_ns()) / 1000000;
        if (left <= 0)
            return LIVE_PROMPT_NONE;
        uint8_t raw[1024], text[1024], reply[768];
        ssize_t r = live_recv(&l->c, raw, sizeof(raw), (unsigned)left);
        if (r <= 0) {
            *closed = r == 0;
            return LIVE_PROMPT_NONE;
        }
        size_t tn = sizeof(text), rn = sizeof(reply);
        live_telnet_filter(&l->t, raw, (size_t)r, text, &tn, reply, &rn);
        if (rn)
            live_send(&l->c, reply, rn);
        if (l->len + tn > sizeof(l->text))
            l->len = 0; /* only the latest text matters for prompts */
        memcpy(l->text + l->len, text, tn < sizeof(l->text) ? tn : sizeof(l->text));
        l->len += tn < sizeof(l->text) ? tn : sizeof(l->text);
    }
}

static enum lock_result telnet_once(struct lockout *l, const char *password, int64_t *ms,
                                    int64_t *baseline)
{
    unsigned wait = 2 * l->s->ctx->o.io_timeout_ms;
    int closed = 0;
    if (l->c.fd < 0) {
        memset(&l->t, 0, sizeof(l->t));
        l->len = 0;
        if (live_connect(l->s->ctx, l->s->gate, l->s->target, l->s->port, &l->c))
            return LOCK_REFUSED;
        if (telnet_wait(l, wait, &closed) != LIVE_PROMPT_LOGIN)
            return LOCK_REFUSED;
    }
    char line[200];
    snprintf(line, sizeof(line), "%s\r\n", l->user);
    l->len = 0;
    int64_t asked = live_now_ns();
    if (live_send(&l->c, line, strlen(line)) ||
        telnet_wait(l, wait, &closed) != LIVE_PROMPT_PASSWORD)
        return LOCK_REFUSED;
    *baseline = ms_since(asked);
    snprintf(line, sizeof(line), "%s\r\n", password);
    l->len = 0;
    int64_t start = live_now_ns();
    if (live_send(&l->c, line, strlen(line)))
        return LOCK_REFUSED;
    enum live_prompt p = telnet_wait(l, wait, &closed);
    *ms = ms_since(start);
    if (closed) {
        live_close(&l->c);
        l->closes++;
        return LOCK_ANSWERED;
    }
    if (p == LIVE_PROMPT_REFUSED) { /* the next login prompt (or the end) belongs to it */
        l->len = 0;
        p = telnet_wait(l, wait, &closed);
    }
    if (closed) {
        live_close(&l->c);
        l->closes++;
    }
    return p == LIVE_PROMPT_LOGIN || p == LIVE_PROMPT_REFUSED || closed ? LOCK_ANSWERED
                                                                        : LOCK_SILENT;
}

/* ---- SSH: one password per connection --------------------------------------------------- */

static enum lock_result ssh_once(struct lockout *l, const char *password, int64_t *ms,
                                 int64_t *baseline)
{
    struct live_service *s = l->s;
    struct live_conn c;
    if (live_connect(s->ctx, s->gate, s->target, s->port, &c))
        return LOCK_REFUSED;
    enum lock_result result = LOCK_REFUSED;
    socket_t fd = c.fd;
    ssh_session ssh = ssh_new();
    bool no = false;
    long timeout_s = (long)(2 * s->ctx->o.io_timeout_ms + 999) / 1000;
    unsigned int port = s->port;
    int64_t connecting = live_now_ns();
    if (ssh &&
        !(ssh_options_set(ssh, SSH_OPTIONS_PROCESS_CONFIG, &no) |
          ssh_options_set(ssh, SSH_OPTIONS_KNOWNHOSTS, "/dev/null") |
          ssh_options_set(ssh, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") |
          ssh_options_set(ssh, SSH_OPTIONS_HOST, s->target->address) |
          ssh_options_set(ssh, SSH_OPTIONS_PORT, &port) |
          ssh_options_set(ssh, SSH_OPTIONS_USER, l->user) |
          ssh_options_set(ssh, SSH_OPTIONS_TIMEOUT, &timeout_s) |
          ssh_options_set(ssh, SSH_OPTIONS_FD, &fd)) &&
        ssh_connect(ssh) == SSH_OK) {
        *baseline = ms_since(connecting);
        int64_t start = live_now_ns();
        int rc = ssh_userauth_password(ssh, NULL, password);
        *ms = ms_since(start);
        result = rc == SSH_AUTH_DENIED || rc == SSH_AUTH_PARTIAL ? LOCK_ANSWERED
                 : rc == SSH_AUTH_ERROR                          ? LOCK_SILENT
                                                                 : LOCK_REFUSED;
        ssh_disconnect(ssh);
    }
    if (ssh)
        ssh_free(ssh);
    live_close(&c);
    return result;
}

/* ---- the measurement -------------------------------------------------------------------- */

/* The dictionary's refusals, when there are enough and every one was
 * clearly delayed: their timings into times, how many there were. */
static size_t dictionary_delays(const struct live_service *s, char *times, size_t size)
{
    size_t n = atomic_load(&s->refusals.count);
    if (n > LIVE_REFUSALS_MAX)
        n = LIVE_REFUSALS_MAX;
    if (n < LOCKOUT_CLEAR_RUN)
        return 0;
    times[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!clearly_delayed(s->refusals.ms[i], s->refusals.baseline[i]))
            return 0;
        size_t used = strlen(times);
        snprintf(times + used, size - used, "%s%d", i ? "," : "", (int)s->refusals.ms[i]);
    }
    return n;
}

void live_lockout_run(struct live_service *s)
{
    enum lock_result (*once)(struct lockout *, const char *, int64_t *, int64_t *) = NULL;
    const char *dictionary = NULL;
    char times[200] = "", evidence[600];
    if (!s->ctx->o.lockout || !s->probe || live_stopped(s->ctx))
        return;
    if (s->probe == &live_probe_ftp)
        once = ftp_once, dictionary = "ftp";
    else if (s->probe == &live_probe_telnet)
        once = telnet_once, dictionary = "telnet";
    else if (s->probe == &live_probe_ssh)
        once = ssh_once, dictionary = "ssh";
    else if (s->probe == &live_probe_http && s->scheme && strcmp(s->scheme, "basic") == 0)
        once = http_once, dictionary = "http";
    if (!once)
        return;
    const char *name = s->probe->name;
    size_t seen = dictionary_delays(s, times, sizeof(times));
    if (seen) {
        snprintf(evidence, sizeof(evidence),
                 "%s: wrong passwords were answered only after a delay (refusal times in ms of "
                 "the first %zu failed logins while the dictionary was tried: %s; each at "
                 "least %d times the answer before it), so no further wrong passwords were sent",
                 name, seen, times, LOCKOUT_DELAY_RATIO);
        ic_report_set_provision(s->report, "5.1-5", IC_STATUS_PASS, evidence);
        return;
    }
    /* The service's best-known user: the account an attacker would go for. */
    struct live_cred *creds = NULL;
    size_t count = 0;
    if (live_credentials_for(s->ctx, dictionary, &creds, &count))
        return;
    const char *user = "admin";
    for (size_t i = 0; i < count; i++)
        if (!creds[i].from_user && creds[i].user[0] && strcmp(creds[i].user, "anonymous") &&
            strcmp(creds[i].user, "ftp")) {
            user = creds[i].user;
            break;
        }
    struct lockout l = {.s = s, .user = user};
    l.c.fd = -1;
    int64_t ms[LOCKOUT_ATTEMPTS], start = live_now_ns();
    size_t answered = 0, delayed = 0, first_refusal = 0, silent = 0, clear_run = 0;
    for (size_t i = 0; i < LOCKOUT_ATTEMPTS && !live_stopped(s->ctx); i++) {
        char password[32];
        uint32_t v = 0;
        live_random(&v, sizeof(v));
        snprintf(password, sizeof(password), "Zq%08x!", v);
        int64_t baseline = 0;
        ms[i] = 0;
        atomic_fetch_add(&s->ctx->logins_tried, 1);
        enum lock_result r = once(&l, password, &ms[i], &baseline);
        if (r == LOCK_REFUSED && !answered)
            break; /* never got a refusal to time: nothing to say */
        if (r == LOCK_REFUSED) {
            first_refusal = i + 1;
            break;
        }
        if (r == LOCK_SILENT) {
            silent++;
            break;
        }
        answered++;
        delayed += ms[i] >= LOCKOUT_DELAY_MS;
        clear_run = clearly_delayed(ms[i], baseline) ? clear_run + 1 : 0;
        if (clear_run == LOCKOUT_CLEAR_RUN)
            break; /* the delay is the server's way: more tries add nothing */
    }
    live_close(&l.c);
    free(creds);
    if (!answered)
        return;
    int64_t lo = ms[0], hi = ms[0];
    for (size_t i = 0; i < answered; i++) {
        size_t used = strlen(times);
        snprintf(times + used, sizeof(times) - used, "%s%lld", i ? "," : "", (long long)ms[i]);
        lo = ms[i] < lo ? ms[i] : lo;
        hi = ms[i] > hi ? ms[i] : hi;
    }
    if (delayed || first_refusal || silent) {
        snprintf(evidence, sizeof(evidence),
                 "%s: wrong passwords for '%s' were %s (refusal times in ms: %s%s)", name, user,
                 first_refusal ? "refused outright after some failures (a lockout)"
                 : silent      ? "answered ever more slowly, then not at all"
                               : "answered only after a delay",
                 times, l.closes ? "; the server also ended the session after failures" : "");
        if (first_refusal)
            snprintf(evidence + strlen(evidence), sizeof(evidence) - strlen(evidence),
                     "; attempt %zu was turned away", first_refusal);
        else if (clear_run == LOCKOUT_CLEAR_RUN)
            snprintf(evidence + strlen(evidence), sizeof(evidence) - strlen(evidence),
                     "; stopped after %d clearly delayed refusals in a row", LOCKOUT_CLEAR_RUN);
        ic_report_set_provision(s->report, "5.1-5", IC_STATUS_PASS, evidence);
        return;
    }
    snprintf(evidence, sizeof(evidence),
             "%s: %zu wrong passwords for '%s' refused in %lld ms in all, each in %lld-%lld ms "
             "(%s); no delay, no lockout%s",
             name, answered, user, (long long)ms_since(start), (long long)lo, (long long)hi, times,
             l.closes ? ", only the session was ended now and then (a reconnect goes on)" : "");
    live_finding(s, "device.no-login-throttling", evidence);
}
