/* The rules of the live device audit (the "device" rule set) and the
 * helpers every probe uses to report: findings, credential attempts,
 * printable evidence. */
#include "iotcop/error.h"
#include "live/live_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const passwords[] = {"5.1-1", NULL};
static const char *const brute_force[] = {"5.1-5", NULL};
static const char *const policy[] = {"5.2-1", NULL};
static const char *const secure_comms[] = {"5.5-1", "5.5-7", NULL};
static const char *const unauthenticated[] = {"5.5-4", "5.6-1", NULL};
static const char *const surface[] = {"5.6-1", NULL};
static const char *const tls_crypto[] = {"5.5-1", "5.5-7", NULL};
static const char *const tls_identity[] = {"5.5-1", NULL};

static const struct ic_rule device_rules[] = {
    {
        .id = "device.default-credentials",
        .title = "Default credentials accepted by a network service",
        .severity = IC_SEVERITY_CRITICAL,
        .guideline = "CoP-1",
        .provisions = passwords,
        .rationale = "The service let in a user name and password from public lists of "
                     "default credentials (Mirai's and the vendor-default lists): anyone on the "
                     "network can log in, and botnets try these pairs on every address.",
        .fix = "Give every unit a unique password, or make the user set one before the "
               "service can be used; remove fixed factory accounts.",
    },
    {
        .id = "device.unauthenticated-shell",
        .title = "A network service gives a shell without any login",
        .severity = IC_SEVERITY_CRITICAL,
        .guideline = "CoP-1",
        .provisions = passwords,
        .rationale = "A command sent without logging in was run by a shell (its answer came "
                     "back), as with `telnetd -l /bin/sh`: the device is open to anyone who "
                     "can reach the port.",
        .fix = "Remove the debug shell from the shipped configuration, or put it behind a "
               "login with a per-unit password.",
    },
    {
        .id = "device.mqtt-anonymous",
        .title = "MQTT broker accepts anonymous clients",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-6",
        .provisions = unauthenticated,
        .rationale = "The broker accepted a CONNECT without credentials and a subscription to "
                     "'#': anyone on the network can read (and usually publish) every message, "
                     "including commands and personal data.",
        .fix = "Refuse anonymous clients (allow_anonymous false), require per-device "
               "credentials or client certificates, and use ACLs.",
    },
    {
        .id = "device.ftp-anonymous",
        .title = "FTP server accepts anonymous logins",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-6",
        .provisions = unauthenticated,
        .rationale = "Anonymous FTP exposes files to anyone on the network and is rarely "
                     "needed by a consumer device.",
        .fix = "Disable anonymous FTP (and FTP itself where it is not needed).",
    },
    {
        .id = "device.plaintext-login",
        .title = "Login over a plaintext protocol (telnet, FTP, IMAP or POP3 without TLS)",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-5",
        .provisions = secure_comms,
        .rationale = "Telnet and FTP send user names and passwords in the clear: anyone on the "
                     "path can read them.",
        .fix = "Turn off telnet and FTP; offer SSH/SFTP or HTTPS instead.",
    },
    {
        .id = "device.security-txt-missing",
        .title = "Web interface without a security.txt (RFC 9116)",
        .severity = IC_SEVERITY_LOW,
        .guideline = "CoP-2",
        .provisions = policy,
        .rationale = "/.well-known/security.txt tells whoever finds a vulnerability where to "
                     "report it; the device's web server does not serve one (the policy may "
                     "still be published elsewhere, which documents have to show).",
        .fix = "Serve /.well-known/security.txt with a Contact and an Expires less than a "
               "year ahead, pointing to the vulnerability disclosure policy.",
    },
    {
        .id = "device.security-txt-expired",
        .title = "security.txt served by the device has expired",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-2",
        .provisions = policy,
        .rationale = "RFC 9116 says an expired security.txt must not be used: its contact "
                     "details are stale.",
        .fix = "Update Expires (less than a year ahead) with every firmware release.",
    },
    {
        .id = "device.security-txt-invalid",
        .title = "security.txt served by the device does not follow RFC 9116",
        .severity = IC_SEVERITY_LOW,
        .guideline = "CoP-2",
        .provisions = policy,
        .rationale = "Without a Contact and exactly one valid Expires, reporters and tools "
                     "cannot rely on the file.",
        .fix = "Give at least one Contact URI and exactly one Expires in RFC 3339 form.",
    },
    {
        .id = "device.snmp-default-community",
        .title = "SNMP agent answers a default community",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-1",
        .provisions = passwords,
        .rationale = "An SNMP community is a password sent in the clear; the agent answered a "
                     "GetRequest with one from the default lists ('public', 'private', vendor "
                     "defaults), so anyone on the network can read (or with a write "
                     "community, change) the device's management data.",
        .fix = "Disable SNMPv1/v2c or give every unit its own community; prefer SNMPv3 "
               "with per-unit credentials.",
    },
    {
        .id = "device.coap-unauthenticated",
        .title = "CoAP resources readable without authentication",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-6",
        .provisions = unauthenticated,
        .rationale = "Resources listed in /.well-known/core answered GET with content and no "
                     "credentials (plain CoAP, no DTLS): anyone on the network can read them, "
                     "and usually change them with PUT or POST.",
        .fix = "Serve CoAP over DTLS (coaps) with per-device keys, or switch it off; list "
               "only resources the network may use.",
    },
    {
        .id = "device.no-login-throttling",
        .title = "Failed logins are neither delayed nor limited",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-1",
        .provisions = brute_force,
        .rationale = "A series of wrong passwords for the service's best-known account was "
                     "refused at full speed, with no growing delay, refusal or lockout: "
                     "guessing passwords over the network costs an attacker nothing but time "
                     "on the wire.",
        .fix = "Delay each failed login (growing with repeated failures), limit attempts per "
               "source and account, and alert the owner.",
    },
    {
        .id = "device.rtsp-unauthenticated",
        .title = "RTSP stream readable without authentication",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-6",
        .provisions = unauthenticated,
        .rationale = "The RTSP server answered DESCRIBE with the stream's session description "
                     "and asked for no credentials: anyone on the network can watch or listen "
                     "to the camera's stream.",
        .fix = "Require per-unit credentials (digest) for every RTSP stream, or switch RTSP "
               "off when no local client needs it.",
    },
    {
        .id = "device.upnp-exposed",
        .title = "UPnP (SSDP) answers and describes the device",
        .severity = IC_SEVERITY_LOW,
        .guideline = "CoP-6",
        .provisions = surface,
        .rationale = "The device answers SSDP searches and serves its UPnP description "
                     "(model, services such as port mapping) to anyone on the network; UPnP "
                     "services have been abused to open ports and to amplify attacks.",
        .fix = "Switch UPnP off unless the device needs it, never answer on WAN "
               "interfaces, and expose no port-mapping service.",
    },
    {
        .id = "device.open-service",
        .title = "Network service exposed",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-6",
        .provisions = surface,
        .rationale = "Every listening service is attack surface; this is the inventory to "
                     "compare with the services the device needs.",
        .fix = "Switch off every service the device does not need for its intended use.",
    },
    {
        .id = "tls.legacy-protocol",
        .title = "TLS service accepts SSLv3, TLS 1.0 or TLS 1.1",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-5",
        .provisions = tls_crypto,
        .rationale = "SSLv3, TLS 1.0 and TLS 1.1 are deprecated (RFC 8996): they rest on "
                     "MD5/SHA-1 and CBC constructions with known attacks (POODLE, BEAST), and a "
                     "client can be pushed down to them.",
        .fix = "Accept TLS 1.2 and TLS 1.3 only.",
    },
    {
        .id = "tls.sslv2",
        .title = "TLS service accepts SSLv2",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-5",
        .provisions = tls_crypto,
        .rationale = "SSLv2 (prohibited by RFC 6176) has only export-grade or MD5-based cipher "
                     "kinds, no protection of its handshake, and lets an attacker decrypt TLS "
                     "sessions that share the server's RSA key (DROWN).",
        .fix = "Turn SSLv2 off everywhere the key is used; accept TLS 1.2 and TLS 1.3 only.",
    },
    {
        .id = "tls.weak-cipher",
        .title = "TLS service negotiates weak cipher suites",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-5",
        .provisions = tls_crypto,
        .rationale = "Offered only weak suites (NULL encryption, anonymous key exchange, EXPORT, "
                     "RC4, DES or 3DES), the server chose one: traffic can be read or altered "
                     "by anyone on the path.",
        .fix = "Allow only AEAD suites with forward secrecy (ECDHE with AES-GCM or "
               "ChaCha20-Poly1305) and the TLS 1.3 suites.",
    },
    {
        .id = "tls.self-signed",
        .title = "TLS certificate is self-signed",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-5",
        .provisions = tls_identity,
        .rationale = "A self-signed certificate cannot be verified by a client, so users learn "
                     "to click through warnings and an attacker can present their own.",
        .fix = "Use a certificate from a CA the clients trust (a per-device certificate from "
               "the manufacturer's CA, or one the owner installs).",
    },
    {
        .id = "tls.expired-certificate",
        .title = "TLS certificate has expired",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-5",
        .provisions = tls_identity,
        .rationale = "Clients must refuse an expired certificate; a device that presents one "
                     "teaches users to ignore the warning.",
        .fix = "Renew the certificate before it expires, automatically with the firmware or "
               "an enrolment protocol.",
    },
    {
        .id = "tls.certificate-not-yet-valid",
        .title = "TLS certificate is not valid yet",
        .severity = IC_SEVERITY_LOW,
        .guideline = "CoP-5",
        .provisions = tls_identity,
        .rationale = "The certificate's not-before date is in the future: clients refuse it, "
                     "often a sign of a wrong device clock.",
        .fix = "Issue the certificate with a correct validity period and keep the device "
               "clock synchronised.",
    },
    {
        .id = "tls.weak-key",
        .title = "TLS certificate key is too small",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-5",
        .provisions = tls_crypto,
        .rationale = "RSA and DSA keys under 2048 bits (and elliptic curves under 224 bits) are "
                     "within reach of factoring or discrete-log attacks.",
        .fix = "Use RSA 2048 bits or more, or an ECDSA P-256/Ed25519 key.",
    },
    {
        .id = "tls.weak-signature",
        .title = "TLS certificate signed with MD5 or SHA-1",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-5",
        .provisions = tls_identity,
        .rationale = "MD5 and SHA-1 signatures can be forged with chosen-prefix collisions: a "
                     "certificate with the same signature can be made for another key.",
        .fix = "Reissue the certificate signed with SHA-256 or better.",
    },
    {
        .id = "tls.hostname-mismatch",
        .title = "TLS certificate does not match the device's host name",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-5",
        .provisions = tls_identity,
        .rationale = "The certificate names neither in its subject alternative names nor in its "
                     "common name the host name the device was reached by: clients that check "
                     "fail, and clients that do not cannot tell the device from an impostor.",
        .fix = "Issue the certificate for the names the device is reached by.",
    },
};

const struct ic_rule_set ic_rule_set_device = {
    .family = "device",
    .rules = device_rules,
    .count = sizeof(device_rules) / sizeof(device_rules[0]),
};

void live_printable(const uint8_t *data, size_t len, char *out, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < size; i++)
        out[n++] = (data[i] < 0x20 || data[i] >= 0x7f) ? '.' : (char)data[i];
    if (size)
        out[n] = '\0';
}

void live_finding(struct live_service *s, const char *rule_id, const char *evidence)
{
    const struct ic_rule *rule = ic_rule_find(rule_id);
    if (!rule)
        return;
    const char *service = s->name ? s->name : s->probe ? s->probe->name : "unknown";
    struct ic_location loc = ic_location_device(s->target->address, s->port,
                                                s->transport ? s->transport : "tcp", service);
    struct ic_finding f = ic_finding_from_rule(rule, loc, evidence);
    ic_report_add_finding(s->report, &f, NULL); /* IC_E_EXISTS: already reported */
}

static void report_login(struct live_service *s, const struct live_cred *c)
{
    char evidence[384], user[96], password[96];
    live_printable((const uint8_t *)c->user, strlen(c->user), user, sizeof(user));
    if (c->from_user) {
        size_t n = strlen(c->password);
        snprintf(password, sizeof(password), "%.2s... (%zu characters, from --credentials)",
                 n ? c->password : "", n);
        for (char *p = password; *p && p < password + 2; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
                *p = '?';
    } else {
        live_printable((const uint8_t *)c->password, strlen(c->password), password,
                       sizeof(password));
    }
    snprintf(evidence, sizeof(evidence), "%s%s%s%s login accepted: user '%s', password '%s'",
             s->probe->name, s->scheme ? " (" : "", s->scheme ? s->scheme : "",
             s->scheme ? ")" : "", user, password);
    live_finding(s, "device.default-credentials", evidence);
}

/* The pairs of one service, shared by its login workers. */
struct login_run {
    struct live_service *s;
    enum live_login (*attempt)(struct live_service *, const struct live_cred *);
    pthread_mutex_t lock;
    pthread_cond_t changed;
    const struct live_cred **queue; /* the pairs, then those to try once more */
    size_t queued, head, first_pass;
    size_t running; /* attempts under way */
    size_t worked;
    int done; /* a pair worked (and not --all-credentials) */
};

/* Takes the next pair until none is left; an attempt that settled nothing
 * puts its pair at the end once, so workers wait while others still run. */
static void *login_worker(void *arg)
{
    struct login_run *r = arg;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        while (r->head == r->queued && r->running && !r->done)
            pthread_cond_wait(&r->changed, &r->lock);
        if (r->head == r->queued || r->done || live_stopped(r->s->ctx))
            break;
        size_t index = r->head++;
        const struct live_cred *cred = r->queue[index];
        r->running++;
        pthread_mutex_unlock(&r->lock);
        atomic_fetch_add(&r->s->ctx->logins_tried, 1);
        enum live_login result = r->attempt(r->s, cred);
        pthread_mutex_lock(&r->lock);
        r->running--;
        if (result == LIVE_LOGIN_OK) {
            report_login(r->s, cred);
            r->worked++;
            r->done = !r->s->ctx->o.all_credentials;
        } else if (result == LIVE_LOGIN_UNKNOWN && index < r->first_pass) {
            r->queue[r->queued++] = cred;
        }
        pthread_cond_broadcast(&r->changed);
    }
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

void live_control_pair(struct live_control_pair *pair)
{
    uint32_t nonce = 0;
    live_random(&nonce, sizeof(nonce));
    snprintf(pair->user, sizeof(pair->user), "ic%08x", nonce);
    snprintf(pair->password, sizeof(pair->password), "x%08xq", ~nonce);
}

size_t live_try_credentials(struct live_service *s, const char *dictionary_service,
                            unsigned parallel,
                            enum live_login (*attempt)(struct live_service *s,
                                                       const struct live_cred *cred))
{
    struct live_cred *creds = NULL;
    size_t count = 0;
    if (live_credentials_for(s->ctx, dictionary_service, &creds, &count))
        return 0;
    /* As many workers as --login-tasks, the probe's own cap and the pairs
     * allow; the host's gate still bounds the sockets of all its services. */
    size_t width = s->ctx->o.login_tasks ? s->ctx->o.login_tasks : IC_LIVE_DEFAULT_LOGIN_TASKS;
    if (parallel && parallel < width)
        width = parallel;
    if (s->ctx->o.max_per_host && s->ctx->o.max_per_host < width)
        width = s->ctx->o.max_per_host;
    if (width > count)
        width = count;
    if (width > LIVE_LOGIN_TASKS_MAX)
        width = LIVE_LOGIN_TASKS_MAX;
    struct login_run r = {.s = s, .attempt = attempt, .first_pass = count};
    r.queue = calloc(2 * count + 1, sizeof(*r.queue));
    if (!r.queue || width == 0) {
        free(r.queue);
        free(creds);
        return 0;
    }
    for (size_t i = 0; i < count; i++)
        r.queue[r.queued++] = &creds[i];
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.changed, NULL);
    pthread_t threads[LIVE_LOGIN_TASKS_MAX];
    size_t started = 0;
    for (size_t i = 1; i < width; i++) /* this thread is the first worker */
        if (pthread_create(&threads[started], NULL, login_worker, &r) == 0)
            started++;
    login_worker(&r);
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    pthread_cond_destroy(&r.changed);
    pthread_mutex_destroy(&r.lock);
    size_t worked = r.worked;
    free(r.queue);
    free(creds);
    return worked;
}
