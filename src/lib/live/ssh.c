/* SSH: password logins with libssh over a connection we open ourselves (so
 * the rate cap and the per-host gate hold). Success is the server's own
 * SSH_MSG_USERAUTH_SUCCESS; a random pair is tried first as a control. No
 * configuration, known-hosts file or key of the user is read or written. */
#include "live/live_internal.h"

#include <libssh/libssh.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static enum live_login ssh_login(struct live_service *svc, const char *user, const char *password)
{
    struct live_conn c;
    if (live_connect(svc->ctx, svc->gate, svc->target, svc->port, &c))
        return LIVE_LOGIN_UNKNOWN;
    enum live_login result = LIVE_LOGIN_UNKNOWN;
    /* libssh uses the socket it is given and leaves closing it to us. */
    socket_t fd = c.fd;
    ssh_session s = ssh_new();
    if (!s) {
        live_close(&c);
        return result;
    }
    bool no = false;
    long timeout_s = (long)(svc->ctx->o.io_timeout_ms + 999) / 1000;
    unsigned int port = svc->port;
    int bad = ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no) |
              ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null") |
              ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") |
              ssh_options_set(s, SSH_OPTIONS_HOST, svc->target->address) |
              ssh_options_set(s, SSH_OPTIONS_PORT, &port) |
              ssh_options_set(s, SSH_OPTIONS_USER, user) |
              ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout_s) |
              ssh_options_set(s, SSH_OPTIONS_FD, &fd);
    if (!bad && ssh_connect(s) == SSH_OK) {
        int rc = ssh_userauth_password(s, NULL, password);
        if (rc == SSH_AUTH_SUCCESS)
            result = LIVE_LOGIN_OK;
        else if (rc == SSH_AUTH_DENIED || rc == SSH_AUTH_PARTIAL)
            result = LIVE_LOGIN_FAILED;
        ssh_disconnect(s);
    }
    ssh_free(s);
    live_close(&c);
    return result;
}

static enum live_login ssh_attempt(struct live_service *svc, const struct live_cred *cred)
{
    if (!cred->user[0])
        return LIVE_LOGIN_FAILED; /* SSH needs a user name */
    return ssh_login(svc, cred->user, cred->password);
}

static void ssh_run(struct live_service *svc)
{
    struct live_control_pair pair;
    live_control_pair(&pair);
    if (ssh_login(svc, pair.user, pair.password) != LIVE_LOGIN_FAILED || live_stopped(svc->ctx))
        return; /* accepts anything, or no SSH login possible at all */
    /* At most 3 at once: SSH servers drop unauthenticated connections
     * beyond a few per address (dropbear 5, counting sessions not yet
     * reaped; OpenSSH's MaxStartups 10), and a dropped pair waits for its
     * second try until the end of the list. */
    live_try_credentials(svc, "ssh", 3, ssh_attempt);
}

static int ssh_banner(const uint8_t *banner, size_t len)
{
    return len >= 4 && memcmp(banner, "SSH-", 4) == 0;
}

static const uint16_t ssh_ports[] = {22, 2222, 0};

const struct live_probe live_probe_ssh = {
    .name = "ssh",
    .ports = ssh_ports,
    .banner_says = ssh_banner,
    .run = ssh_run,
};
