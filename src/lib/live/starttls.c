/* STARTTLS: the plaintext exchanges that turn a connection into TLS (FTP
 * AUTH TLS, SMTP and IMAP STARTTLS, POP3 STLS), their reply parsers, and
 * the probes of the mail services, which run the TLS audit through them.
 * A go-ahead followed by more bytes is refused: TLS would take those
 * bytes (injected before the handshake) for its own. */
#include "live/live_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *live_starttls_command(enum live_starttls how)
{
    switch (how) {
    case LIVE_STARTTLS_FTP:
        return "AUTH TLS";
    case LIVE_STARTTLS_SMTP:
    case LIVE_STARTTLS_IMAP:
        return "STARTTLS";
    case LIVE_STARTTLS_POP3:
        return "STLS";
    default:
        return NULL;
    }
}

/* ---- reply parsers -------------------------------------------------------------- */

/* The length of the line at data (up to and including '\n'), or 0 when
 * the line is not complete. */
static size_t line_length(const uint8_t *data, size_t len)
{
    const uint8_t *nl = memchr(data, '\n', len);
    return nl ? (size_t)(nl - data) + 1 : 0;
}

/* Whether word appears in the line as a whole word (between blanks or
 * brackets), without regard to case. */
static int has_word(const uint8_t *line, size_t len, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i + n <= len; i++) {
        if (i && !(line[i - 1] == ' ' || line[i - 1] == '['))
            continue;
        if (strncasecmp((const char *)line + i, word, n) != 0)
            continue;
        if (i + n == len || line[i + n] == ' ' || line[i + n] == ']' || line[i + n] == '\r' ||
            line[i + n] == '\n')
            return 1;
    }
    return 0;
}

int live_smtp_parse_reply(const uint8_t *data, size_t len, size_t *length, int *code, int *offered)
{
    *length = 0;
    *code = 0;
    *offered = 0;
    size_t pos = 0;
    while (pos < len) {
        const uint8_t *p = data + pos;
        size_t have = len - pos;
        /* Judge what is there before the line ends: three digits, then ' ' or '-'. */
        for (size_t i = 0; i < 3 && i < have; i++)
            if (!isdigit(p[i]) || (i == 0 && (p[0] < '2' || p[0] > '5')))
                return -1;
        if (have >= 4 && p[3] != ' ' && p[3] != '-' && p[3] != '\r' && p[3] != '\n')
            return -1;
        if (pos && have >= 3 && memcmp(p, data, 3) != 0)
            return -1; /* a line of another reply inside a multi-line one */
        size_t n = line_length(p, have);
        if (!n)
            return 0;
        if (n < 4)
            return -1;
        /* EHLO keywords: "250-STARTTLS" (the first word after the code). */
        size_t end = n - 1;
        if (end && p[end - 1] == '\r')
            end--;
        if (end >= 4 + 8 && strncasecmp((const char *)p + 4, "STARTTLS", 8) == 0 &&
            (end == 4 + 8 || p[4 + 8] == ' '))
            *offered = 1;
        pos += n;
        if (p[3] != '-') {
            *code = (data[0] - '0') * 100 + (data[1] - '0') * 10 + (data[2] - '0');
            *length = pos;
            return 1;
        }
    }
    return 0;
}

int live_imap_parse_reply(const uint8_t *data, size_t len, const char *tag, size_t *length, int *ok,
                          int *offered)
{
    *length = 0;
    *ok = 0;
    *offered = 0;
    size_t pos = 0, tag_len = tag ? strlen(tag) : 0;
    while (pos < len) {
        const uint8_t *p = data + pos;
        size_t have = len - pos;
        int untagged = p[0] == '*';
        if (!untagged && !tag)
            return -1; /* the greeting is untagged */
        if (!untagged && p[0] != '+' && memcmp(p, tag, have < tag_len ? have : tag_len) != 0)
            return -1;
        size_t n = line_length(p, have);
        if (!n)
            return 0;
        size_t end = n - 1;
        if (end && p[end - 1] == '\r')
            end--;
        pos += n;
        if (untagged) {
            /* "* CAPABILITY ... STARTTLS", or the greeting's "[CAPABILITY ... STARTTLS]" */
            if (end >= 2 && has_word(p + 2, end - 2, "CAPABILITY") &&
                has_word(p + 2, end - 2, "STARTTLS"))
                *offered = 1;
            if (!tag) {
                if (end >= 4 && strncasecmp((const char *)p, "* OK", 4) == 0)
                    *ok = 1;
                else if (!(end >= 9 && strncasecmp((const char *)p, "* PREAUTH", 9) == 0) &&
                         !(end >= 5 && strncasecmp((const char *)p, "* BYE", 5) == 0))
                    return -1;
                *length = pos;
                return 1;
            }
            continue;
        }
        if (p[0] == '+')
            continue; /* a continuation request: not ours to answer */
        if (end < tag_len + 1 || p[tag_len] != ' ')
            return -1;
        *ok = end >= tag_len + 3 && strncasecmp((const char *)p + tag_len + 1, "OK", 2) == 0 &&
              (end == tag_len + 3 || p[tag_len + 3] == ' ');
        *length = pos;
        return 1;
    }
    return 0;
}

int live_pop3_parse_reply(const uint8_t *data, size_t len, size_t *length, int *ok)
{
    *length = 0;
    *ok = 0;
    size_t prefix = len < 4 ? len : 4;
    int positive = memcmp(data, "+OK", prefix < 3 ? prefix : 3) == 0;
    int negative = memcmp(data, "-ERR", prefix) == 0;
    if (!positive && !negative)
        return -1;
    size_t n = line_length(data, len);
    if (!n)
        return 0;
    *ok = positive && n >= 3;
    *length = n;
    return 1;
}

/* ---- the exchanges ------------------------------------------------------------------ */

/* A plaintext conversation: what was read and not yet parsed. */
struct talk {
    struct live_conn *c;
    uint8_t buf[4096];
    size_t len;
};

/* Reads more bytes. 0, or -1 when the buffer is full, the peer closed or
 * nothing came in time. */
static int more(struct talk *t)
{
    if (t->len == sizeof(t->buf))
        return -1;
    ssize_t n = live_recv(t->c, t->buf + t->len, sizeof(t->buf) - t->len, 0);
    if (n <= 0)
        return -1;
    t->len += (size_t)n;
    return 0;
}

static void consume(struct talk *t, size_t n)
{
    memmove(t->buf, t->buf + n, t->len - n);
    t->len -= n;
}

static int send_text(struct talk *t, const char *text)
{
    return live_send(t->c, text, strlen(text));
}

/* The next FTP reply that is not preliminary (1xx); its code or -1. */
static int ftp_final_reply(struct talk *t)
{
    for (;;) {
        struct live_ftp_reply r;
        int got = live_ftp_parse_reply(t->buf, t->len, &r);
        if (got < 0)
            return -1;
        if (got > 0) {
            consume(t, r.length);
            if (r.code >= 200)
                return r.code;
            continue;
        }
        if (more(t))
            return -1;
    }
}

static int smtp_reply(struct talk *t, int *offered)
{
    for (;;) {
        size_t n;
        int code;
        int got = live_smtp_parse_reply(t->buf, t->len, &n, &code, offered);
        if (got < 0)
            return -1;
        if (got > 0) {
            consume(t, n);
            return code;
        }
        if (more(t))
            return -1;
    }
}

/* 1 a positive IMAP answer, 0 a negative one, -1 no answer. */
static int imap_reply(struct talk *t, const char *tag, int *offered)
{
    for (;;) {
        size_t n;
        int ok, named;
        int got = live_imap_parse_reply(t->buf, t->len, tag, &n, &ok, &named);
        if (got < 0)
            return -1;
        if (got > 0) {
            *offered |= named;
            consume(t, n);
            return ok;
        }
        if (more(t))
            return -1;
    }
}

static int pop3_reply(struct talk *t)
{
    for (;;) {
        size_t n;
        int ok;
        int got = live_pop3_parse_reply(t->buf, t->len, &n, &ok);
        if (got < 0)
            return -1;
        if (got > 0) {
            consume(t, n);
            return ok;
        }
        if (more(t))
            return -1;
    }
}

int live_starttls(struct live_conn *c, enum live_starttls how)
{
    struct talk t = {.c = c};
    int offered = 0;
    switch (how) {
    case LIVE_STARTTLS_NONE:
        return 0;
    case LIVE_STARTTLS_FTP:
        if (ftp_final_reply(&t) != 220 || send_text(&t, "AUTH TLS\r\n") ||
            ftp_final_reply(&t) != 234)
            return -1;
        break;
    case LIVE_STARTTLS_SMTP:
        if (smtp_reply(&t, &offered) != 220 || send_text(&t, "EHLO iotcop.invalid\r\n") ||
            smtp_reply(&t, &offered) != 250 || !offered || send_text(&t, "STARTTLS\r\n") ||
            smtp_reply(&t, &offered) != 220)
            return -1;
        break;
    case LIVE_STARTTLS_IMAP:
        if (imap_reply(&t, NULL, &offered) != 1)
            return -1;
        if (!offered && (send_text(&t, "a1 CAPABILITY\r\n") || imap_reply(&t, "a1", &offered) != 1))
            return -1;
        if (!offered || send_text(&t, "a2 STARTTLS\r\n") || imap_reply(&t, "a2", &offered) != 1)
            return -1;
        break;
    case LIVE_STARTTLS_POP3:
        if (pop3_reply(&t) != 1 || send_text(&t, "STLS\r\n") || pop3_reply(&t) != 1)
            return -1;
        break;
    default:
        return -1;
    }
    return t.len ? -1 : 0; /* bytes after the go-ahead: refused */
}

/* ---- the mail probes -------------------------------------------------------------- */

/* Whether the banner's first line holds word (without regard to case). */
static int banner_has(const uint8_t *banner, size_t len, const char *word)
{
    size_t n = line_length(banner, len);
    return has_word(banner, n ? n : len, word);
}

static int smtp_banner(const uint8_t *banner, size_t len)
{
    return len >= 4 && memcmp(banner, "220", 3) == 0 && (banner[3] == ' ' || banner[3] == '-') &&
           (banner_has(banner, len, "ESMTP") || banner_has(banner, len, "SMTP"));
}

static int imap_banner(const uint8_t *banner, size_t len)
{
    return (len >= 4 && memcmp(banner, "* OK", 4) == 0) ||
           (len >= 9 && memcmp(banner, "* PREAUTH", 9) == 0);
}

static int pop3_banner(const uint8_t *banner, size_t len)
{
    return len >= 3 && memcmp(banner, "+OK", 3) == 0;
}

/* The TLS audit through STARTTLS when the server offers it; for the login
 * protocols (IMAP, POP3) a plaintext-login finding when it does not. */
static void mail_run(struct live_service *s, enum live_starttls how, const char *protocol,
                     int (*banner_says)(const uint8_t *banner, size_t len))
{
    if (!banner_says(s->banner, s->banner_len))
        return; /* not the service its port suggests */
    struct live_conn c;
    if (live_connect(s->ctx, s->gate, s->target, s->port, &c))
        return;
    int offered = live_starttls(&c, how) == 0;
    live_close(&c);
    if (offered) {
        live_tls_audit(s, how);
        return;
    }
    if (how == LIVE_STARTTLS_SMTP || live_stopped(s->ctx))
        return; /* mail transfer: no login of the device's user to protect */
    char banner[128], evidence[300];
    size_t n = line_length(s->banner, s->banner_len);
    n = n ? n : s->banner_len;
    while (n && (s->banner[n - 1] == '\r' || s->banner[n - 1] == '\n'))
        n--;
    live_printable(s->banner, n, banner, sizeof(banner));
    snprintf(evidence, sizeof(evidence), "%s offers no %s: logins go in the clear; greeting '%s'",
             protocol, live_starttls_command(how), banner);
    live_finding(s, "device.plaintext-login", evidence);
}

static void smtp_run(struct live_service *s)
{
    mail_run(s, LIVE_STARTTLS_SMTP, "SMTP", smtp_banner);
}

static void imap_run(struct live_service *s)
{
    mail_run(s, LIVE_STARTTLS_IMAP, "IMAP", imap_banner);
}

static void pop3_run(struct live_service *s)
{
    mail_run(s, LIVE_STARTTLS_POP3, "POP3", pop3_banner);
}

static const uint16_t smtp_ports[] = {25, 587, 0};
static const uint16_t imap_ports[] = {143, 0};
static const uint16_t pop3_ports[] = {110, 0};

const struct live_probe live_probe_smtp = {
    .name = "smtp",
    .ports = smtp_ports,
    .banner_says = smtp_banner,
    .run = smtp_run,
};

const struct live_probe live_probe_imap = {
    .name = "imap",
    .ports = imap_ports,
    .banner_says = imap_banner,
    .run = imap_run,
};

const struct live_probe live_probe_pop3 = {
    .name = "pop3",
    .ports = pop3_ports,
    .banner_says = pop3_banner,
    .run = pop3_run,
};
