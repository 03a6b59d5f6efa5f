/* Secret strings in untrusted bytes, with a low false-positive design:
 *
 *   1. Known token formats, anywhere (text or binary): AWS access key IDs
 *      (AKIA/ASIA + 16), Google API keys (AIza + 35), GitHub tokens
 *      (ghp_/gho_/ghu_/ghs_/ghr_ + 36, github_pat_ + 82), Slack tokens
 *      (xoxb-/xoxp-/xoxa-/xoxr-/xoxs- with their numeric parts) and
 *      webhooks, Stripe live keys (sk_live_/rk_live_). Each is bounded on
 *      both sides by a non-token character, and documentation examples
 *      (AKIAIOSFODNN7EXAMPLE, ...EXAMPLE...) are dropped.
 *   2. In text only (ic_tokens_scan_text), values of keys that hold
 *      secrets: Wi-Fi keys (wpa_supplicant psk=, hostapd wpa_passphrase= /
 *      wpa_psk=, nvram wl0_wpa_psk=, UCI "option key" in a wifi-iface
 *      section), private key passphrases (ssl_passphrase, key_passphrase,
 *      ...), the AWS secret access key, and generic API secrets (api_key,
 *      client_secret, access_token, ...) — the generic ones only when the
 *      value looks random (length, character classes, entropy) and is not
 *      a placeholder or a variable.
 *
 * Findings go to a callback with the value borrowed for the call (callers
 * mask it before showing it). Nothing allocates. A callback returning
 * non-zero stops the scan with that value. */
#ifndef IC_CHECKS_SECRETS_TOKENS_H
#define IC_CHECKS_SECRETS_TOKENS_H

#include <stddef.h>
#include <stdint.h>

/* Longest line examined by the text scan; the rest of a longer line is skipped. */
#define IC_TOKENS_MAX_LINE 4096
/* Longest value kept. */
#define IC_TOKENS_MAX_VALUE 512
/* Most tokens one scan reports. */
#define IC_TOKENS_MAX_ITEMS 1024u

enum ic_token_kind {
    IC_TOK_AWS_KEY_ID,
    IC_TOK_AWS_SECRET,
    IC_TOK_GOOGLE_API_KEY,
    IC_TOK_GITHUB,
    IC_TOK_SLACK,
    IC_TOK_SLACK_WEBHOOK,
    IC_TOK_STRIPE,
    IC_TOK_WIFI_PSK,
    IC_TOK_KEY_PASSPHRASE,
    IC_TOK_GENERIC,
};

/* "AWS access key ID", "Wi-Fi pre-shared key", ... */
const char *ic_token_kind_name(enum ic_token_kind kind);

struct ic_token {
    enum ic_token_kind kind;
    const char *value;  /* NUL-terminated copy of the secret (borrowed) */
    size_t value_len;
    const char *key;    /* the key that held it (text scan), or NULL */
    uint64_t offset;    /* of the value in the data */
    uint64_t line;      /* 1-based line (text scan), 0 for the format scan */
};

typedef int (*ic_token_fn)(void *arg, const struct ic_token *token);

/* Known token formats anywhere in the bytes. */
int ic_tokens_scan_formats(const uint8_t *data, size_t len, ic_token_fn fn, void *arg);

/* Secrets named by their key in configuration text (key=value, key: value,
 * "key": "value", option key 'value', <key>value</key>). */
int ic_tokens_scan_text(const uint8_t *data, size_t len, ic_token_fn fn, void *arg);

/* Shannon entropy of s in bits per character. */
double ic_tokens_entropy(const char *s, size_t n);

#endif
