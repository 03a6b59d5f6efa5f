/* A bounded scanner of POSIX shell scripts: enough of the grammar to find the
 * simple commands a boot script runs, where they are, and whether they sit in
 * the part that runs when the service starts. It never executes anything and
 * keeps fixed-size state: words, commands and variables beyond the caps of
 * boot.h are dropped, never grown. */
#include "checks/boot/boot.h"
#include "iotcop/error.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define STORE_SIZE 65536
#define TEXT_MAX 1000
#define VAR_NAME_MAX 64
#define VAR_VALUE_MAX 512
#define SUBST_DEPTH_MAX 64

enum tok {
    T_EOF,
    T_WORD,
    T_NEWLINE,
    T_SEMI,
    T_DSEMI,
    T_AMP,
    T_AND,
    T_OR,
    T_PIPE,
    T_LPAREN,
    T_RPAREN,
};

enum block_kind { B_CASE, B_FUNC, B_BRACE, B_SUBSHELL };

struct block {
    enum block_kind kind;
    int dollar1;      /* case on $1 */
    int arm_starts;   /* case: the current arm runs at start */
    int in_pattern;   /* case: expecting a pattern */
    char name[VAR_NAME_MAX]; /* function name */
};

struct var {
    char name[VAR_NAME_MAX];
    char value[VAR_VALUE_MAX];
};

struct sh {
    const uint8_t *p;
    size_t len;
    size_t pos;
    uint64_t line;

    /* the word being read */
    char word[IC_BOOT_MAX_WORD + 1];
    size_t wlen;
    int wquoted;        /* any quoting in the word */
    size_t wfirst_quote; /* offset in word of the first quoted byte */
    size_t wstart;      /* byte offset of the word in the input */
    uint64_t wline;

    /* here-documents waiting for the end of the line */
    char heredoc[4][128];
    int heredoc_strip[4];
    int heredoc_count;

    /* the command being assembled */
    char store[STORE_SIZE];
    size_t store_used;
    const char *argv[IC_BOOT_MAX_WORDS + 1];
    size_t argc;
    size_t cmd_start; /* input offset of the command's first word */
    size_t cmd_end;
    uint64_t cmd_line;
    int have_cmd_start;

    /* syntax state */
    struct block blocks[IC_BOOT_MAX_NESTING];
    int depth;
    int in_redirection; /* reading a redirection's target */
    int expect_case_word; /* after `case` */
    int expect_in;        /* after the case word */
    int case_dollar1;
    int expect_func_name; /* after `function` */
    char pending_func[VAR_NAME_MAX];
    int func_pending;     /* a "name()" was seen; the next { opens its body */

    struct var vars[IC_BOOT_MAX_VARS];
    int var_count;

    unsigned commands;
    char text[TEXT_MAX + 1];
    ic_sh_cmd_fn fn;
    void *ctx;
};

int ic_sh_function_starts(const char *name)
{
    static const char *const not_at_start[] = {"stop", "reload", "status", "usage", "help",
                                               "kill", "shutdown", "restart", "trigger",
                                               "running", "depends", "extra_command", NULL};
    if (!name)
        return 1;
    for (int i = 0; not_at_start[i]; i++)
        if (strstr(name, not_at_start[i]))
            return 0;
    return 1;
}

static int peek(const struct sh *s, size_t off)
{
    return s->pos + off < s->len ? s->p[s->pos + off] : -1;
}

static void word_put(struct sh *s, int c, int quoted)
{
    if (quoted && !s->wquoted) {
        s->wquoted = 1;
        s->wfirst_quote = s->wlen;
    }
    if (s->wlen < IC_BOOT_MAX_WORD)
        s->word[s->wlen++] = (char)c;
}

static void word_puts(struct sh *s, const char *t, int quoted)
{
    while (*t)
        word_put(s, (unsigned char)*t++, quoted);
}

static const char *var_get(const struct sh *s, const char *name, size_t n)
{
    for (int i = s->var_count - 1; i >= 0; i--)
        if (strlen(s->vars[i].name) == n && memcmp(s->vars[i].name, name, n) == 0)
            return s->vars[i].value;
    return NULL;
}

static void var_set(struct sh *s, const char *name, size_t n, const char *value)
{
    if (n == 0 || n >= VAR_NAME_MAX)
        return;
    struct var *v = NULL;
    for (int i = 0; i < s->var_count; i++)
        if (strlen(s->vars[i].name) == n && memcmp(s->vars[i].name, name, n) == 0)
            v = &s->vars[i];
    if (!v) {
        if (s->var_count >= IC_BOOT_MAX_VARS)
            return;
        v = &s->vars[s->var_count++];
        memcpy(v->name, name, n);
        v->name[n] = '\0';
    }
    size_t vl = strlen(value);
    if (vl >= VAR_VALUE_MAX)
        vl = VAR_VALUE_MAX - 1;
    memcpy(v->value, value, vl);
    v->value[vl] = '\0';
}

static int is_name_start(int c)
{
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_name_char(int c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Copies a nested construct opened at pos ($( ... ), ${ ... }, ` ... `)
 * verbatim into the word; returns with pos after its end. */
static void copy_nested(struct sh *s, int open, int close, int quoted)
{
    int depth = 1;
    int in_single = 0;
    while (s->pos < s->len && depth > 0) {
        int c = s->p[s->pos++];
        if (c == '\n')
            s->line++;
        if (in_single) {
            if (c == '\'')
                in_single = 0;
        } else if (c == '\\' && s->pos < s->len && close != '`') {
            word_put(s, c, quoted);
            c = s->p[s->pos++];
            if (c == '\n')
                s->line++;
        } else if (c == '\'' && close == ')') {
            in_single = 1;
        } else if (close == '`' && c == '`') {
            depth = 0;
        } else if (c == open && open != close) {
            if (depth < SUBST_DEPTH_MAX)
                depth++;
        } else if (c == close) {
            depth--;
        }
        word_put(s, c, quoted);
    }
}

/* At '$': a variable reference, expanded when known; else copied. */
static void read_dollar(struct sh *s, int quoted)
{
    s->pos++; /* '$' */
    int c = peek(s, 0);
    if (c == '(') {
        word_put(s, '$', quoted);
        word_put(s, '(', quoted);
        s->pos++;
        copy_nested(s, '(', ')', quoted);
        return;
    }
    if (c == '{') {
        size_t start = s->pos + 1, i = start;
        while (i < s->len && is_name_char(s->p[i]))
            i++;
        if (i > start && i < s->len && (s->p[i] == '}' || s->p[i] == ':' || s->p[i] == '-')) {
            const char *v = var_get(s, (const char *)s->p + start, i - start);
            if (v && s->p[i] == '}') {
                word_puts(s, v, quoted);
                s->pos = i + 1;
                return;
            }
            if (s->p[i] != '}') { /* ${NAME:-default}: the value, else the default */
                size_t j = i;
                if (j < s->len && s->p[j] == ':')
                    j++;
                if (j < s->len && s->p[j] == '-') {
                    size_t end = j + 1;
                    while (end < s->len && s->p[end] != '}' && s->p[end] != '\n')
                        end++;
                    if (end < s->len && s->p[end] == '}') {
                        if (v)
                            word_puts(s, v, quoted);
                        else
                            for (size_t k = j + 1; k < end; k++)
                                word_put(s, s->p[k], quoted);
                        s->pos = end + 1;
                        return;
                    }
                }
            }
        }
        word_put(s, '$', quoted);
        word_put(s, '{', quoted);
        s->pos++;
        copy_nested(s, '{', '}', quoted);
        return;
    }
    if (c >= 0 && is_name_start(c)) {
        size_t start = s->pos, i = start;
        while (i < s->len && is_name_char(s->p[i]))
            i++;
        const char *v = var_get(s, (const char *)s->p + start, i - start);
        if (v) {
            word_puts(s, v, quoted);
        } else {
            word_put(s, '$', quoted);
            for (size_t k = start; k < i; k++)
                word_put(s, s->p[k], quoted);
        }
        s->pos = i;
        return;
    }
    word_put(s, '$', quoted);
}

static void skip_heredocs(struct sh *s)
{
    for (int h = 0; h < s->heredoc_count; h++) {
        const char *delim = s->heredoc[h];
        size_t dl = strlen(delim);
        while (s->pos < s->len) {
            size_t ls = s->pos, le = ls;
            while (le < s->len && s->p[le] != '\n')
                le++;
            s->pos = le < s->len ? le + 1 : le;
            s->line++;
            size_t a = ls;
            if (s->heredoc_strip[h])
                while (a < le && s->p[a] == '\t')
                    a++;
            size_t b = le;
            if (b > a && s->p[b - 1] == '\r')
                b--;
            if (b - a == dl && memcmp(s->p + a, delim, dl) == 0)
                break;
        }
    }
    s->heredoc_count = 0;
}

static int read_word(struct sh *s);

/* At '<' or '>': consumes the redirection and its target. */
static void read_redirection(struct sh *s)
{
    int c = s->p[s->pos++];
    int heredoc = 0, strip = 0;
    if (c == '<' && peek(s, 0) == '<') {
        s->pos++;
        heredoc = 1;
        if (peek(s, 0) == '-') {
            s->pos++;
            strip = 1;
        }
    } else if (peek(s, 0) == c || peek(s, 0) == '|' || (c == '<' && peek(s, 0) == '>')) {
        s->pos++;
    }
    if (peek(s, 0) == '&') {
        s->pos++;
        while (peek(s, 0) >= '0' && peek(s, 0) <= '9')
            s->pos++;
        if (peek(s, 0) == '-')
            s->pos++;
        if (s->pos < s->len && s->p[s->pos] != ' ' && s->p[s->pos] != '\t' &&
            s->p[s->pos] != '\n' && s->p[s->pos] != ';')
            ; /* >&file: fall through to read the target */
        else
            return;
    }
    while (peek(s, 0) == ' ' || peek(s, 0) == '\t')
        s->pos++;
    /* The target is one word; read it into the word buffer and drop it. */
    size_t save_len = s->wlen;
    int save_q = s->wquoted;
    size_t save_fq = s->wfirst_quote;
    char saved[IC_BOOT_MAX_WORD + 1];
    memcpy(saved, s->word, save_len);
    s->wlen = 0;
    s->wquoted = 0;
    s->in_redirection = 1;
    read_word(s);
    s->in_redirection = 0;
    if (heredoc && s->heredoc_count < 4) {
        size_t n = s->wlen < 127 ? s->wlen : 127;
        memcpy(s->heredoc[s->heredoc_count], s->word, n);
        s->heredoc[s->heredoc_count][n] = '\0';
        s->heredoc_strip[s->heredoc_count] = strip;
        s->heredoc_count++;
    }
    memcpy(s->word, saved, save_len);
    s->wlen = save_len;
    s->wquoted = save_q;
    s->wfirst_quote = save_fq;
}

static int is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int is_operator(int c)
{
    return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '\n';
}

/* Reads word characters at pos into the word buffer until a blank or an
 * operator. Returns whether anything made up a word. */
static int read_word(struct sh *s)
{
    int any = 0;
    while (s->pos < s->len) {
        int c = s->p[s->pos];
        if (is_blank(c) || is_operator(c))
            break;
        if (c == '<' || c == '>') {
            /* "2>&1": the digits before belong to the redirection */
            int digits = any && !s->wquoted;
            for (size_t i = 0; digits && i < s->wlen; i++)
                digits = s->word[i] >= '0' && s->word[i] <= '9';
            if (digits) {
                s->wlen = 0;
                any = 0;
            }
            if (any || s->in_redirection)
                break; /* the word ends; the caller sees the redirection next */
            read_redirection(s);
            continue;
        }
        if (c == '#' && !any)
            break;
        any = 1;
        if (c == '\\') {
            if (s->pos + 1 >= s->len) {
                s->pos++;
                break;
            }
            int n = s->p[s->pos + 1];
            s->pos += 2;
            if (n == '\n') {
                s->line++;
                continue;
            }
            word_put(s, n, 1);
        } else if (c == '\'') {
            s->pos++;
            if (!s->wquoted) {
                s->wquoted = 1;
                s->wfirst_quote = s->wlen;
            }
            while (s->pos < s->len && s->p[s->pos] != '\'') {
                if (s->p[s->pos] == '\n')
                    s->line++;
                word_put(s, s->p[s->pos++], 1);
            }
            if (s->pos < s->len)
                s->pos++;
        } else if (c == '"') {
            s->pos++;
            if (!s->wquoted) {
                s->wquoted = 1;
                s->wfirst_quote = s->wlen;
            }
            while (s->pos < s->len && s->p[s->pos] != '"') {
                int d = s->p[s->pos];
                if (d == '\\' && s->pos + 1 < s->len) {
                    int n = s->p[s->pos + 1];
                    s->pos += 2;
                    if (n == '\n') {
                        s->line++;
                        continue;
                    }
                    if (n != '$' && n != '`' && n != '"' && n != '\\')
                        word_put(s, '\\', 1);
                    word_put(s, n, 1);
                } else if (d == '$') {
                    read_dollar(s, 1);
                } else if (d == '`') {
                    s->pos++;
                    word_put(s, '`', 1);
                    copy_nested(s, '`', '`', 1);
                } else {
                    if (d == '\n')
                        s->line++;
                    word_put(s, d, 1);
                    s->pos++;
                }
            }
            if (s->pos < s->len)
                s->pos++;
        } else if (c == '$') {
            read_dollar(s, 0);
        } else if (c == '`') {
            s->pos++;
            word_put(s, '`', 0);
            copy_nested(s, '`', '`', 0);
        } else {
            word_put(s, c, 0);
            s->pos++;
        }
    }
    return any;
}

static enum tok next_token(struct sh *s)
{
    for (;;) {
        while (s->pos < s->len && is_blank(s->p[s->pos]))
            s->pos++;
        if (s->pos >= s->len)
            return T_EOF;
        int c = s->p[s->pos];
        if (c == '\\' && peek(s, 1) == '\n') {
            s->pos += 2;
            s->line++;
            continue;
        }
        if (c == '#') {
            while (s->pos < s->len && s->p[s->pos] != '\n')
                s->pos++;
            continue;
        }
        if (c == '\n') {
            s->pos++;
            s->line++;
            if (s->heredoc_count)
                skip_heredocs(s);
            return T_NEWLINE;
        }
        if (c == ';') {
            s->pos++;
            if (peek(s, 0) == ';') {
                s->pos++;
                if (peek(s, 0) == '&')
                    s->pos++;
                return T_DSEMI;
            }
            if (peek(s, 0) == '&') {
                s->pos++;
                return T_DSEMI;
            }
            return T_SEMI;
        }
        if (c == '&') {
            s->pos++;
            if (peek(s, 0) == '&') {
                s->pos++;
                return T_AND;
            }
            if (peek(s, 0) == '>') /* &> file */
                continue;
            return T_AMP;
        }
        if (c == '|') {
            s->pos++;
            if (peek(s, 0) == '|') {
                s->pos++;
                return T_OR;
            }
            if (peek(s, 0) == '&')
                s->pos++;
            return T_PIPE;
        }
        if (c == '(') {
            s->pos++;
            return T_LPAREN;
        }
        if (c == ')') {
            s->pos++;
            return T_RPAREN;
        }
        s->wlen = 0;
        s->wquoted = 0;
        s->wfirst_quote = 0;
        s->wstart = s->pos;
        s->wline = s->line;
        size_t before = s->pos;
        if (read_word(s) && (s->wlen || s->wquoted)) {
            s->word[s->wlen] = '\0';
            return T_WORD;
        }
        if (s->pos == before) /* a '#' inside a word position or similar: consume it */
            s->pos++;
    }
}

/* ---- commands ------------------------------------------------------------ */

static void cmd_reset(struct sh *s)
{
    s->argc = 0;
    s->store_used = 0;
    s->have_cmd_start = 0;
}

static void cmd_mark(struct sh *s)
{
    if (!s->have_cmd_start) {
        s->have_cmd_start = 1;
        s->cmd_start = s->wstart;
        s->cmd_line = s->wline;
    }
    s->cmd_end = s->pos;
}

static void cmd_add(struct sh *s, const char *w, size_t n)
{
    cmd_mark(s);
    if (s->argc >= IC_BOOT_MAX_WORDS || s->store_used + n + 1 > STORE_SIZE)
        return;
    char *dst = s->store + s->store_used;
    memcpy(dst, w, n);
    dst[n] = '\0';
    s->store_used += n + 1;
    s->argv[s->argc++] = dst;
}

/* The command's text on one line, blanks collapsed. */
static void cmd_text(struct sh *s)
{
    size_t o = 0;
    int blank = 0;
    for (size_t i = s->cmd_start; i < s->cmd_end && i < s->len && o < TEXT_MAX; i++) {
        int c = s->p[i];
        if (c == '\\' && i + 1 < s->cmd_end && s->p[i + 1] == '\n') {
            i++;
            blank = 1;
            continue;
        }
        if (c == '\n' || is_blank(c)) {
            blank = 1;
            continue;
        }
        if (blank && o > 0 && o < TEXT_MAX)
            s->text[o++] = ' ';
        blank = 0;
        if (o < TEXT_MAX)
            s->text[o++] = (c >= 0x20 && c < 0x7f) || c >= 0x80 ? (char)c : '?';
    }
    s->text[o] = '\0';
}

static unsigned cmd_flags(const struct sh *s, const char **function)
{
    unsigned flags = 0;
    *function = NULL;
    for (int i = 0; i < s->depth; i++) {
        const struct block *b = &s->blocks[i];
        if (b->kind == B_CASE && b->dollar1 && !b->arm_starts && !b->in_pattern)
            flags |= IC_SH_NOT_AT_START;
        if (b->kind == B_FUNC) {
            *function = b->name;
            if (!ic_sh_function_starts(b->name))
                flags |= IC_SH_NOT_AT_START;
        }
    }
    return flags;
}

static int assignment_name_len(const struct sh *s, const char *w)
{
    (void)s;
    if (!is_name_start((unsigned char)w[0]))
        return 0;
    int i = 1;
    while (is_name_char((unsigned char)w[i]))
        i++;
    return w[i] == '=' ? i : 0;
}

static void record_assignment(struct sh *s, const char *w)
{
    int n = assignment_name_len(s, w);
    if (n > 0)
        var_set(s, w, (size_t)n, w + n + 1);
}

static int cmd_finish(struct sh *s, unsigned extra_flags)
{
    int rc = 0;
    if (s->argc > 0 && s->commands < IC_BOOT_MAX_COMMANDS) {
        const char *a0 = s->argv[0];
        if (strcmp(a0, "export") == 0 || strcmp(a0, "local") == 0 ||
            strcmp(a0, "readonly") == 0 || strcmp(a0, "declare") == 0 ||
            strcmp(a0, "typeset") == 0)
            for (size_t i = 1; i < s->argc; i++)
                record_assignment(s, s->argv[i]);
        s->argv[s->argc] = NULL;
        cmd_text(s);
        struct ic_sh_cmd cmd = {0};
        cmd.line = s->cmd_line;
        cmd.argc = s->argc;
        cmd.argv = s->argv;
        cmd.text = s->text;
        cmd.flags = cmd_flags(s, &cmd.function) | extra_flags;
        s->commands++;
        rc = s->fn(s->ctx, &cmd);
    }
    cmd_reset(s);
    return rc;
}

static struct block *top(struct sh *s)
{
    return s->depth > 0 ? &s->blocks[s->depth - 1] : NULL;
}

static void push(struct sh *s, enum block_kind kind)
{
    if (s->depth >= IC_BOOT_MAX_NESTING)
        return;
    struct block *b = &s->blocks[s->depth++];
    memset(b, 0, sizeof(*b));
    b->kind = kind;
}

/* Pops the innermost block of this kind (and anything left open inside it). */
static void pop(struct sh *s, enum block_kind kind)
{
    for (int i = s->depth - 1; i >= 0; i--)
        if (s->blocks[i].kind == kind || (kind == B_BRACE && s->blocks[i].kind == B_FUNC)) {
            s->depth = i;
            return;
        }
}

static int pattern_starts(const char *w)
{
    return strcmp(w, "start") == 0 || strcmp(w, "boot") == 0 || strcmp(w, "start_service") == 0;
}

static int handle_word(struct sh *s)
{
    const char *w = s->word;
    size_t n = s->wlen;
    struct block *b = top(s);

    if (s->expect_case_word) {
        s->expect_case_word = 0;
        s->expect_in = 1;
        s->case_dollar1 = strncmp(w, "$1", 2) == 0 || strncmp(w, "${1", 3) == 0;
        return 0;
    }
    if (s->expect_in) {
        s->expect_in = 0;
        push(s, B_CASE);
        struct block *c = top(s);
        if (c && c->kind == B_CASE) {
            c->dollar1 = s->case_dollar1;
            c->in_pattern = 1;
        }
        return 0;
    }
    if (b && b->kind == B_CASE && b->in_pattern) {
        if (!s->wquoted && strcmp(w, "esac") == 0) {
            pop(s, B_CASE);
            return 0;
        }
        if (pattern_starts(w))
            b->arm_starts = 1;
        return 0;
    }
    if (s->expect_func_name) {
        s->expect_func_name = 0;
        size_t k = n < VAR_NAME_MAX - 1 ? n : VAR_NAME_MAX - 1;
        memcpy(s->pending_func, w, k);
        s->pending_func[k] = '\0';
        s->func_pending = 1;
        return 0;
    }
    if (s->argc == 0 && !s->wquoted) {
        static const char *const prefixes[] = {"if", "then", "else", "elif", "do", "while",
                                               "until", "!", "fi", "done", "time", NULL};
        for (int i = 0; prefixes[i]; i++)
            if (strcmp(w, prefixes[i]) == 0)
                return 0;
        if (strcmp(w, "{") == 0) {
            if (s->func_pending) {
                push(s, B_FUNC);
                struct block *f = top(s);
                if (f && f->kind == B_FUNC)
                    memcpy(f->name, s->pending_func, sizeof(f->name));
                s->func_pending = 0;
            } else {
                push(s, B_BRACE);
            }
            return 0;
        }
        if (strcmp(w, "}") == 0) {
            pop(s, B_BRACE);
            return 0;
        }
        if (strcmp(w, "esac") == 0) {
            pop(s, B_CASE);
            return 0;
        }
        if (strcmp(w, "case") == 0) {
            s->expect_case_word = 1;
            return 0;
        }
        if (strcmp(w, "function") == 0) {
            s->expect_func_name = 1;
            return 0;
        }
    }
    if (s->func_pending && s->argc == 0) /* "name()" not followed by { */
        s->func_pending = 0;
    if (s->argc == 0 && assignment_name_len(s, w) > 0 &&
        (!s->wquoted || s->wfirst_quote > (size_t)assignment_name_len(s, w))) {
        record_assignment(s, w);
        cmd_mark(s);
        return 0;
    }
    cmd_add(s, w, n);
    return 0;
}

static int scan(struct sh *s)
{
    int rc = 0;
    for (;;) {
        enum tok t = next_token(s);
        struct block *b = top(s);
        switch (t) {
        case T_WORD:
            rc = handle_word(s);
            break;
        case T_LPAREN:
            if (b && b->kind == B_CASE && b->in_pattern)
                break;
            if (s->argc == 1) {
                /* "name ()" or "name()": a function definition */
                size_t save = s->pos;
                uint64_t save_line = s->line;
                while (s->pos < s->len && is_blank(s->p[s->pos]))
                    s->pos++;
                if (s->pos < s->len && s->p[s->pos] == ')') {
                    s->pos++;
                    size_t k = strlen(s->argv[0]);
                    if (k >= VAR_NAME_MAX)
                        k = VAR_NAME_MAX - 1;
                    memcpy(s->pending_func, s->argv[0], k);
                    s->pending_func[k] = '\0';
                    s->func_pending = 1;
                    cmd_reset(s);
                    break;
                }
                s->pos = save;
                s->line = save_line;
                break;
            }
            if (s->argc == 0)
                push(s, B_SUBSHELL);
            break;
        case T_RPAREN:
            if (b && b->kind == B_CASE && b->in_pattern) {
                b->in_pattern = 0;
                break;
            }
            rc = cmd_finish(s, 0);
            pop(s, B_SUBSHELL);
            break;
        case T_NEWLINE:
        case T_SEMI:
        case T_AND:
        case T_OR:
        case T_PIPE:
            rc = cmd_finish(s, 0);
            break;
        case T_AMP:
            rc = cmd_finish(s, IC_SH_BACKGROUND);
            break;
        case T_DSEMI:
            rc = cmd_finish(s, 0);
            for (int i = s->depth - 1; i >= 0; i--)
                if (s->blocks[i].kind == B_CASE) {
                    s->depth = i + 1;
                    s->blocks[i].in_pattern = 1;
                    s->blocks[i].arm_starts = 0;
                    break;
                }
            break;
        case T_EOF:
            return cmd_finish(s, 0);
        }
        if (rc)
            return rc;
    }
}

int ic_sh_scan(const uint8_t *data, size_t len, uint64_t first_line, ic_sh_cmd_fn fn, void *ctx)
{
    struct sh *s = calloc(1, sizeof(*s));
    if (!s)
        return IC_E_NOMEM;
    s->p = data;
    s->len = len;
    s->line = first_line ? first_line : 1;
    s->fn = fn;
    s->ctx = ctx;
    int rc = scan(s);
    free(s);
    return rc;
}
