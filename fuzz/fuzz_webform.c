/* libFuzzer target: the HTML login-form reader, the title reader and the
 * fingerprint matcher of src/lib/live/webform.c. */
#include "live/live_internal.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct live_web_form form;
    char title[128];
    if (live_webform_parse(data, size, &form) &&
        (!form.password_field[0] || form.hidden_count > LIVE_FORM_MAX_HIDDEN ||
         strlen(form.action) >= sizeof(form.action)))
        __builtin_trap(); /* a broken invariant */
    live_web_title(data, size, title, sizeof(title));
    if (strlen(title) >= sizeof(title))
        __builtin_trap();
    live_web_identify(title, "", data, size);
    return 0;
}
