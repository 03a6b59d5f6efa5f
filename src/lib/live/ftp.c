/* FTP: the greeting, anonymous login and default credentials. A login
 * counts when USER/PASS end in 230 and a following PWD is answered with
 * 257; a server that says 230 to a random pair (accepts anything) is not
 * reported as accepting defaults. */
#include "live/live_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int three_digits(const uint8_t *p)
{
    return p[0] >= '1' && p[0] <= '5' && isdigit(p[1]) && isdigit(p[2]);
}

int live_ftp_parse_reply(const uint8_t *data, size_t len, struct live_ftp_reply *out)
{
    memset(out, 0, sizeof(*out));
    if (len < 4)
        return len && (!isdigit(data[0])) ? -1 : 0;
    if (!three_digits(data) ||
        (data[3] != ' ' && data[3] != '-' && data[3] != '\r' && data[3] != '\n'))
        return -1;
    int code = (data[0] - '0') * 100 + (data[1] - '0') * 10 + (data[2] - '0');
    int multi = data[3] == '-';
    /* The first line's text. */
    size_t eol = 0;
    while (eol < len && data[eol] != '\n')
        eol++;
    size_t tstart = 4 < eol ? 4 : eol, tend = eol;
    if (tend > tstart && data[tend - 1] == '\r')
        tend--;
    live_printable(data + tstart, tend - tstart, out->text, sizeof(out->text));
    if (eol >= len)
        return 0;
    size_t pos = eol + 1;
    if (multi) {
        /* Lines up to "CODE " (same code, then a space). */
        for (;;) {
            size_t next = pos;
            while (next < len && data[next] != '\n')
                next++;
            if (next >= len)
                return 0;
            if (next - pos >= 4 && memcmp(data + pos, data, 3) == 0 && data[pos + 3] == ' ') {
                pos = next + 1;
                break;
            }
            pos = next + 1;
        }
    }
    out->code = code;
    out->length = pos;
    return 1;
}

struct ftp_session {
    struct live_conn c;
    uint8_t buf[4096];
    size_t len;
};

/* The next reply (1xx preliminary replies are skipped). Its code, or -1. */
static int ftp_reply(struct ftp_session *f, struct live_ftp_reply *r)
{
    for (;;) {
        int got = live_ftp_parse_reply(f->buf, f->len, r);
        if (got < 0)
            return -1;
        if (got > 0) {
            memmove(f->buf, f->buf + r->length, f->len - r->length);
            f->len -= r->length;
            if (r->code < 200)
                continue;
            return r->code;
        }
        if (f->len == sizeof(f->buf))
            return -1;
        ssize_t n = live_recv(&f->c, f->buf + f->len, sizeof(f->buf) - f->len, 0);
        if (n <= 0)
            return -1;
        f->len += (size_t)n;
    }
}

static int ftp_command(struct ftp_session *f, const char *verb, const char *arg,
                       struct live_ftp_reply *r)
{
    char line[300];
    /* No CR or LF may reach the server inside an argument. */
    if (strpbrk(arg, "\r\n"))
        return -1;
    if (*arg)
        snprintf(line, sizeof(line), "%s %s\r\n", verb, arg);
    else
        snprintf(line, sizeof(line), "%s\r\n", verb);
    if (live_send(&f->c, line, strlen(line)))
        return -1;
    return ftp_reply(f, r);
}

/* Logs in with a pair: LIVE_LOGIN_OK only for 230 followed by a working PWD. */
static enum live_login ftp_login(struct live_service *svc, const char *user, const char *password)
{
    struct ftp_session f = {0};
    struct live_ftp_reply r;
    if (live_connect(svc->ctx, svc->gate, svc->target, svc->port, &f.c))
        return LIVE_LOGIN_UNKNOWN;
    enum live_login result = LIVE_LOGIN_UNKNOWN;
    if (ftp_reply(&f, &r) != 220)
        goto done;
    int64_t asked = live_now_ns(), prompt_ms = -1, sent = 0;
    int code = ftp_command(&f, "USER", user, &r);
    if (code == 331 || code == 332) {
        sent = live_now_ns();
        prompt_ms = (sent - asked) / 1000000;
        code = ftp_command(&f, "PASS", password, &r);
    }
    if (code == 530 && prompt_ms >= 0) /* a timed refusal, for lockout.c */
        live_note_refusal(svc, (live_now_ns() - sent) / 1000000, prompt_ms);
    if (code == 530 || (code >= 400 && code < 600)) {
        result = LIVE_LOGIN_FAILED;
        goto done;
    }
    if (code != 230 && code != 202)
        goto done;
    code = ftp_command(&f, "PWD", "", &r);
    result = code == 257 ? LIVE_LOGIN_OK : LIVE_LOGIN_UNKNOWN;
    live_send(&f.c, "QUIT\r\n", 6);
done:
    live_close(&f.c);
    return result;
}

static enum live_login ftp_attempt(struct live_service *svc, const struct live_cred *cred)
{
    if (strcasecmp(cred->user, "anonymous") == 0 || strcasecmp(cred->user, "ftp") == 0)
        return LIVE_LOGIN_FAILED; /* anonymous access is its own finding */
    return ftp_login(svc, cred->user, cred->password);
}

/* The greeting: 220 and its text, or -1 when this is not an FTP server. */
static int ftp_greeting(struct live_service *svc, char *text, size_t size)
{
    struct ftp_session f = {0};
    struct live_ftp_reply r;
    if (live_connect(svc->ctx, svc->gate, svc->target, svc->port, &f.c))
        return -1;
    int code = ftp_reply(&f, &r);
    live_close(&f.c);
    snprintf(text, size, "%d %s", code, r.text);
    return code == 220 ? 0 : -1;
}

static void ftp_run(struct live_service *svc)
{
    char evidence[300], greeting[140];
    if (ftp_greeting(svc, greeting, sizeof(greeting)))
        return; /* not an FTP server that greets: nothing to try */
    snprintf(evidence, sizeof(evidence), "FTP sends logins in the clear; greeting '%s'", greeting);
    live_finding(svc, "device.plaintext-login", evidence);
    live_tls_audit(svc, LIVE_STARTTLS_FTP); /* when AUTH TLS is offered */

    /* A control: a random pair must be refused, or logins prove nothing. */
    struct live_control_pair pair;
    live_control_pair(&pair);
    enum live_login control = ftp_login(svc, pair.user, pair.password);
    if (control == LIVE_LOGIN_OK || live_stopped(svc->ctx))
        return; /* accepts anything (or a login honeypot): nothing to prove */

    if (ftp_login(svc, "anonymous", "iotcop@example.invalid") == LIVE_LOGIN_OK)
        live_finding(svc, "device.ftp-anonymous",
                     "FTP login as 'anonymous' accepted (230) and PWD answered");
    live_try_credentials(svc, "ftp", 0, ftp_attempt);
}

static int ftp_banner(const uint8_t *banner, size_t len)
{
    return len >= 4 && memcmp(banner, "220", 3) == 0 && (banner[3] == ' ' || banner[3] == '-');
}

static const uint16_t ftp_ports[] = {21, 2121, 0};

const struct live_probe live_probe_ftp = {
    .name = "ftp",
    .ports = ftp_ports,
    .banner_says = ftp_banner,
    .run = ftp_run,
};
