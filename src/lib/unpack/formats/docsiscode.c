/* DOCSIS code files (cable modems and gateways, e.g. MaxLinear Puma 8
 * vendor images): a DER CMS/PKCS #7 SignedData with the manufacturer's and
 * CableLabs' code verification certificates, then the image it signs up to
 * the end (a vendor header, uImages, a device tree). The signature is
 * parsed with OpenSSL (a well-formed, detached SignedData followed by
 * data, or nothing is accepted) and its certificates named in the info; the image is the child
 * `image`. The signature itself is not verified here. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#define DOCSIS_DER_HEAD 4u /* 30 82 and a two-byte length */

/* Organisation and common name of the certificate, printable. */
static void subject_text(X509 *cert, int nid, char *out, size_t n)
{
    char raw[128] = "";
    X509_NAME *name = cert ? X509_get_subject_name(cert) : NULL;
    if (!name || X509_NAME_get_text_by_NID(name, nid, raw, sizeof(raw)) < 0)
        raw[0] = '\0';
    ic_vendor_string((const uint8_t *)raw, strlen(raw), out, n);
}

static int docsis_unpack(struct ic_extract *x)
{
    if (x->size < DOCSIS_DER_HEAD + 11 || x->data[0] != 0x30 || x->data[1] != 0x82)
        return IC_E_BAD_MAGIC;
    uint64_t der = DOCSIS_DER_HEAD + ic_load_u16be(x->data + 2);
    if (der > x->size)
        return IC_E_TRUNCATED;
    const unsigned char *p = x->data;
    PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)der);
    /* A code file's signature is detached and followed by what it signs; a
     * lone certificate bundle or a signature with its content is not one. */
    if (!p7 || p != x->data + der || !PKCS7_type_is_signed(p7) || !PKCS7_get_detached(p7) ||
        der == x->size) {
        PKCS7_free(p7);
        return IC_E_FORMAT;
    }
    STACK_OF(X509) *certs = p7->d.sign ? p7->d.sign->cert : NULL;
    int count = certs ? sk_X509_num(certs) : 0;
    X509 *first = count > 0 ? sk_X509_value(certs, 0) : NULL;
    char org[96], cn[96];
    subject_text(first, NID_organizationName, org, sizeof(org));
    subject_text(first, NID_commonName, cn, sizeof(cn));
    PKCS7_free(p7);

    ic_extract_set_extent(x, x->size);
    ic_extract_child(x, der, x->size - der, NULL, "image");
    ic_extract_set_info(x,
                        "DOCSIS code file: CMS SignedData of %llu bytes, %d certificate%s, first "
                        "'%s' of '%s' (not verified), image %llu bytes",
                        (unsigned long long)der, count, count == 1 ? "" : "s", cn, org,
                        (unsigned long long)(x->size - der));
    return IC_OK;
}

const struct ic_format ic_format_docsiscode = {
    .name = "docsiscode",
    .description = "DOCSIS code file (CMS-signed image)",
    .magics = IC_MAGICS({"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02", 11, 4}),
    .unpack = docsis_unpack,
};
