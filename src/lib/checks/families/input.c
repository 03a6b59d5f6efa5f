/* Input handling (CoP-13, EN 303 645 5.13-1): web request data that reaches
 * a command interpreter, and unbounded string functions in the programs
 * that handle requests.
 *
 * - CGI programs (under a cgi-bin directory, named *.cgi, or any ELF file in
 *   a web root) that import system, popen or an exec function: the request
 *   arrives in their environment and standard input, and a command built
 *   from it is a command injection unless every byte is validated;
 * - web servers (by name: httpd, lighttpd, uhttpd, boa, goahead, ...) that
 *   import system or popen (exec is how a server starts CGI programs, so it
 *   alone is not reported);
 * - scripts in a web root or cgi-bin (shell, PHP, Lua, Perl, Python) with a
 *   line that hands request data (QUERY_STRING, $_GET, formvalue, ...) to a
 *   command sink (eval, system, shell_exec, os.execute, io.popen, ...);
 * - the import of strcpy, strcat, sprintf, vsprintf and gets per binary, with
 *   the number of relocations that reference each import (on MIPS, calls go
 *   through the GOT without one: "imported").
 * Request handlers get a finding each; the other binaries that import the
 * unbounded string functions are listed in one info summary per file
 * system. */
#include "checks/check.h"
#include "checks/elf/elf.h"
#include "core/buf.h"
#include "iotcop/error.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const p_input[] = {"5.13-1", NULL};

static const struct ic_rule input_rules[] = {
    {
        .id = "input.cgi-command",
        .title = "CGI program that can run shell commands",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-13",
        .provisions = p_input,
        .rationale = "A CGI program receives the HTTP request (query string, headers, body) and "
                     "imports system, popen or exec. Building a command from request data is "
                     "the most common remote-code-execution flaw of IoT web interfaces "
                     "(command injection): every parameter that reaches the command must be "
                     "strictly validated.",
        .fix = "Do not run commands from request handlers; when unavoidable, pass arguments as "
               "an argv array (execv, no shell) after validating each against an allow-list.",
    },
    {
        .id = "input.web-server-command",
        .title = "Web server that can run shell commands (system/popen)",
        .severity = IC_SEVERITY_LOW,
        .guideline = "CoP-13",
        .provisions = p_input,
        .rationale = "An embedded web server that calls system or popen itself (outside the CGI "
                     "interface) often builds the command from request data.",
        .fix = "Review every call of system and popen in the server for request data; replace "
               "them with execv-style calls with validated arguments.",
    },
    {
        .id = "input.cgi-script",
        .title = "Web script passes request data to a command",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-13",
        .provisions = p_input,
        .rationale = "A CGI or web script evaluates or executes a command built from request "
                     "data (QUERY_STRING, $_GET, formvalue, ...): anyone who can reach the web "
                     "interface can run commands on the device.",
        .fix = "Never eval or execute request data; parse parameters into variables, validate "
               "them against an allow-list, and quote them.",
    },
    {
        .id = "input.gets",
        .title = "Program imports the gets function",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-13",
        .provisions = p_input,
        .rationale = "gets reads a line into a buffer without any bound: every call is a "
                     "buffer overflow waiting for a long line. It was removed from C11.",
        .fix = "Use fgets with the buffer's size.",
    },
    {
        .id = "input.unsafe-function",
        .title = "Request handler imports unbounded string functions",
        .severity = IC_SEVERITY_LOW,
        .guideline = "CoP-13",
        .provisions = p_input,
        .rationale = "A CGI program or web server that copies or formats strings with strcpy, "
                     "strcat, sprintf or vsprintf can overflow a buffer with a long request "
                     "field unless every call checks lengths first.",
        .fix = "Use bounded functions (snprintf, strlcpy or memcpy with a checked length) and "
               "build with -D_FORTIFY_SOURCE=2.",
    },
    {
        .id = "input.unsafe-function-summary",
        .title = "Binaries that import unbounded string functions",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-13",
        .provisions = p_input,
        .rationale = "Where strcpy, strcat, sprintf and vsprintf are used outside the request "
                     "handlers: places to review when one of these programs parses input.",
        .fix = "Prefer bounded string functions and FORTIFY_SOURCE.",
    },
};

const struct ic_rule_set ic_rule_set_input = {
    .family = "input",
    .rules = input_rules,
    .count = sizeof(input_rules) / sizeof(input_rules[0]),
};

/* Finding nothing does not show that input is validated. */
static const struct ic_coverage input_coverage[] = {
    {"5.13-1", 0, 1},
};

/* ---- where requests are handled ---------------------------------------------------- */

static const char *const web_roots[] = {
    "/www/", "/var/www/", "/srv/www/", "/usr/www/", "/htdocs/", "/web/", "/webroot/",
    "/home/httpd/", "/usr/share/www/", "/usr/html/", "/usr/lib/lua/luci/", "/srv/http/",
};

static const char *const web_servers[] = {
    "httpd",    "lighttpd", "uhttpd",   "boa",   "goahead", "webs",     "mini_httpd",
    "thttpd",   "nginx",    "mongoose", "shttpd", "appweb", "civetweb", "alphapd",
    "jjhttpd",  "webserver", "cherokee", "hydra", "lighttpd-angel",
};

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static int in_web_root(const char *path)
{
    for (size_t i = 0; i < sizeof(web_roots) / sizeof(web_roots[0]); i++)
        if (strncmp(path, web_roots[i], strlen(web_roots[i])) == 0)
            return 1;
    return 0;
}

static int is_cgi_path(const char *path)
{
    return strstr(path, "/cgi-bin/") != NULL || ends_with(path, ".cgi") || in_web_root(path);
}

static int is_web_server(const char *path)
{
    const char *b = base_name(path);
    for (size_t i = 0; i < sizeof(web_servers) / sizeof(web_servers[0]); i++)
        if (strcmp(b, web_servers[i]) == 0)
            return 1;
    return 0;
}

/* ---- binaries ------------------------------------------------------------------------ */

#define MAX_ELF_BYTES (512u << 20)
#define MAX_SCRIPT_BYTES (4u << 20)
#define LISTED 25u

/* "system (2 relocations), popen (imported)" for the imports in [from, to]. */
static int describe_imports(const struct ic_elf *elf, int from, int to, struct ic_buf *out)
{
    int rc = IC_OK;
    for (int w = from; w <= to && !rc; w++) {
        const struct ic_elf_import *im = &elf->imports[w];
        if (!im->imported)
            continue;
        const char *sep = out->len ? ", " : "";
        const char *name = ic_elf_watch_name((enum ic_elf_watch)w);
        if (im->refs)
            rc = ic_buf_printf(out, "%s%s (%u relocation%s)", sep, name, im->refs,
                               im->refs == 1 ? "" : "s");
        else /* MIPS calls imports through the GOT, without a relocation */
            rc = ic_buf_printf(out, "%s%s (imported%s)", sep, name,
                               elf->machine == 8 ? ", called through the GOT" : "");
    }
    if (!rc)
        rc = ic_buf_append_byte(out, 0);
    if (!rc)
        out->len--; /* keep it NUL-terminated but appendable */
    return rc;
}

struct fs_state {
    struct ic_check_ctx *ctx;
    const struct ic_layer *layer;
    struct ic_buf others;
    unsigned other_count, elves;
};

static int any_import(const struct ic_elf *elf, int from, int to)
{
    for (int w = from; w <= to; w++)
        if (elf->imports[w].imported)
            return 1;
    return 0;
}

static int check_binary(struct fs_state *st, const struct ic_entry *e, const struct ic_elf *elf)
{
    int rc = IC_OK;
    int cgi = is_cgi_path(e->path), server = is_web_server(e->path);
    struct ic_buf text = IC_BUF_INIT(4096);
    st->elves++;
    if (cgi && any_import(elf, IC_ELF_W_SYSTEM, IC_ELF_W_EXECVPE)) {
        rc = describe_imports(elf, IC_ELF_W_SYSTEM, IC_ELF_W_EXECVPE, &text);
        if (!rc)
            rc = ic_check_finding(st->ctx, "input.cgi-command", st->layer->id, e->path, 0,
                                  "CGI program imports %s", (const char *)text.data);
    } else if (server && any_import(elf, IC_ELF_W_SYSTEM, IC_ELF_W_POPEN)) {
        rc = describe_imports(elf, IC_ELF_W_SYSTEM, IC_ELF_W_POPEN, &text);
        if (!rc)
            rc = ic_check_finding(st->ctx, "input.web-server-command", st->layer->id, e->path, 0,
                                  "web server imports %s", (const char *)text.data);
    }
    ic_buf_release(&text);
    if (!rc && elf->imports[IC_ELF_W_GETS].imported) {
        rc = describe_imports(elf, IC_ELF_W_GETS, IC_ELF_W_GETS, &text);
        if (!rc)
            rc = ic_check_finding(st->ctx, "input.gets", st->layer->id, e->path, 0, "imports %s",
                                  (const char *)text.data);
        ic_buf_release(&text);
    }
    if (rc || !any_import(elf, IC_ELF_W_STRCPY, IC_ELF_W_VSPRINTF))
        return rc;
    rc = describe_imports(elf, IC_ELF_W_STRCPY, IC_ELF_W_VSPRINTF, &text);
    if (!rc && (cgi || server)) {
        rc = ic_check_finding(st->ctx, "input.unsafe-function", st->layer->id, e->path, 0,
                              "%s imports %s", cgi ? "CGI program" : "web server",
                              (const char *)text.data);
    } else if (!rc) {
        st->other_count++;
        if (st->other_count <= LISTED)
            rc = ic_buf_printf(&st->others, "%s%s: %s", st->others.len ? "; " : "", e->path,
                               (const char *)text.data);
    }
    ic_buf_release(&text);
    return rc;
}

/* ---- scripts ------------------------------------------------------------------------ */

static const char *const request_markers[] = {
    "QUERY_STRING", "REQUEST_URI", "HTTP_COOKIE", "HTTP_USER_AGENT", "HTTP_REFERER",
    "PATH_INFO", "CONTENT_LENGTH", "FORM_", "$_GET", "$_POST", "$_REQUEST", "$_COOKIE",
    "formvalue(", "http.formvalue", "getenv(\"QUERY", "param(", "FieldStorage", "GET_",
    "POST_",
};

/* Most specific first: the first match names the sink in the evidence. */
static const char *const sinks[] = {
    "shell_exec", "passthru", "proc_open", "os.execute", "io.popen", "luci.sys.call",
    "luci.sys.exec", "subprocess", "os.system", "popen", "system(", "system (", "exec(",
    "eval ", "eval\t", "eval(", "sh -c", "`",
};

static const char *line_has(const char *line, size_t len, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (memmem(line, len, list[i], strlen(list[i])))
            return list[i];
    return NULL;
}

static int is_script(const char *path, const uint8_t *data, size_t size)
{
    if (size >= 2 && data[0] == '#' && data[1] == '!')
        return 1;
    static const char *const ext[] = {".php", ".sh", ".lua", ".pl", ".py", ".cgi", ".asp"};
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
        if (ends_with(path, ext[i]))
            return memchr(data, 0, size < 4096 ? size : 4096) == NULL; /* text, not binary */
    return 0;
}

static int check_script(struct fs_state *st, const struct ic_entry *e, const uint8_t *data,
                        size_t size)
{
    const char *text = (const char *)data, *end = text + size;
    size_t nm = sizeof(request_markers) / sizeof(request_markers[0]);
    size_t ns = sizeof(sinks) / sizeof(sinks[0]);
    /* only scripts that read request data at all */
    if (!line_has(text, size, request_markers, nm))
        return IC_OK;
    uint64_t line_no = 0;
    for (const char *p = text; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t len = eol ? (size_t)(eol - p) : (size_t)(end - p);
        line_no++;
        const char *q = p;
        while (q < p + len && (*q == ' ' || *q == '\t'))
            q++;
        int comment = q < p + len && (*q == '#' || (q + 1 < p + len && q[0] == '/' && q[1] == '/') ||
                                      (q + 1 < p + len && q[0] == '-' && q[1] == '-'));
        if (!comment) {
            const char *sink = line_has(p, len, sinks, ns);
            const char *marker = line_has(p, len, request_markers, nm);
            /* eval of anything with a variable in a script that reads the
             * request is as bad as eval of the request itself */
            int eval_var = sink && strncmp(sink, "eval", 4) == 0 && memchr(p, '$', len);
            if (sink && (marker || eval_var)) {
                char shown[161];
                size_t n = (size_t)(p + len - q) < 160 ? (size_t)(p + len - q) : 160;
                memcpy(shown, q, n);
                shown[n] = '\0';
                size_t sink_len = strcspn(sink, " \t(");
                int rc = ic_check_finding(st->ctx, "input.cgi-script", st->layer->id, e->path,
                                          line_no, "%.*s with %s: %s",
                                          sink[0] == '`' ? 9 : (int)sink_len,
                                          sink[0] == '`' ? "backticks" : sink,
                                          marker ? marker : "a variable (the script reads request data)",
                                          shown);
                if (rc)
                    return rc;
            }
        }
        p = eol ? eol + 1 : end;
    }
    return IC_OK;
}

static int check_fs(struct ic_check_ctx *ctx, const struct ic_layer *layer)
{
    struct fs_state st = {.ctx = ctx, .layer = layer};
    ic_buf_init(&st.others, 8192);
    int rc = IC_OK;
    size_t n = ic_fs_count(layer->fs);
    for (size_t i = 0; i < n && !rc; i++) {
        const struct ic_entry *e = ic_fs_entry(layer->fs, i);
        if (e->type != IC_FT_FILE || !e->content || e->size < 4 || e->size > MAX_ELF_BYTES)
            continue;
        uint8_t magic[4];
        if (ic_blob_read(e->content, 0, magic, 4) != 4)
            continue;
        int elf_file = ic_elf_is_elf(magic, 4);
        int web = is_cgi_path(e->path);
        if (!elf_file && (!web || e->size > MAX_SCRIPT_BYTES))
            continue;
        const uint8_t *data = ic_blob_data(e->content, NULL);
        if (!data)
            continue;
        size_t size = (size_t)ic_blob_size(e->content);
        if (elf_file) {
            struct ic_elf elf;
            int prc = ic_elf_parse(data, size, &elf);
            if (prc == IC_OK)
                rc = check_binary(&st, e, &elf);
            else if (prc == IC_E_NOMEM)
                rc = prc;
            ic_elf_release(&elf);
        } else if (is_script(e->path, data, size)) {
            rc = check_script(&st, e, data, size);
        }
    }
    if (!rc && st.other_count) {
        if (st.other_count > LISTED)
            rc = ic_buf_printf(&st.others, "; and %u more", st.other_count - LISTED);
        if (!rc)
            rc = ic_buf_append_byte(&st.others, 0);
        if (!rc)
            rc = ic_check_finding(ctx, "input.unsafe-function-summary", layer->id, NULL, 0,
                                  "%u of %u ELF files import unbounded string functions: %s",
                                  st.other_count, st.elves, (const char *)st.others.data);
    }
    ic_buf_release(&st.others);
    return rc;
}

static int run_input(struct ic_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->unpack->layer_count; i++) {
        const struct ic_layer *layer = &ctx->unpack->layers[i];
        if (!layer->fs)
            continue;
        int rc = check_fs(ctx, layer);
        if (rc)
            return rc;
    }
    return IC_OK;
}

const struct ic_check ic_check_input = {
    .name = "input",
    .description = "CGI programs and web scripts that run commands; unbounded string "
                   "functions in request handlers",
    .rules = &ic_rule_set_input,
    .coverage = input_coverage,
    .coverage_count = sizeof(input_coverage) / sizeof(input_coverage[0]),
    .run = run_input,
};
