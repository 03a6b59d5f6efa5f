/* The progress line: "image: unpacking, 12 layers (squashfs)" then
 * "image: checks [#######-----] 7/12 (secrets)", redrawn in place on stderr
 * at most ten times a second, and cleared at the end. */
#include "cli.h"
#include "iotcop/progress.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BAR_WIDTH 24
#define REDRAW_NS 100000000LL

static pthread_mutex_t progress_lock = PTHREAD_MUTEX_INITIALIZER;
static char image_name[64];
static long long last_draw_ns;

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void draw(void *arg, enum ic_progress_phase phase, uint64_t done, uint64_t total,
                 const char *detail)
{
    (void)arg;
    /* Never make a worker thread wait for the display. */
    if (pthread_mutex_trylock(&progress_lock) != 0)
        return;
    long long t = now_ns();
    int last = total && done >= total;
    if (last || t - last_draw_ns >= REDRAW_NS) {
        last_draw_ns = t;
        char line[200];
        if (phase == IC_PROGRESS_UNPACK) {
            snprintf(line, sizeof(line), "%s: unpacking, %llu layer%s (%s)", image_name,
                     (unsigned long long)done, done == 1 ? "" : "s", detail ? detail : "");
        } else {
            char bar[BAR_WIDTH + 1];
            size_t filled = total ? (size_t)(done * BAR_WIDTH / total) : 0;
            memset(bar, '#', filled);
            memset(bar + filled, '-', BAR_WIDTH - filled);
            bar[BAR_WIDTH] = '\0';
            snprintf(line, sizeof(line), "%s: checks [%s] %llu/%llu (%s)", image_name, bar,
                     (unsigned long long)done, (unsigned long long)total, detail ? detail : "");
        }
        fprintf(stderr, "\r\033[K%s", line);
        fflush(stderr);
    }
    pthread_mutex_unlock(&progress_lock);
}

void cli_progress_start(const char *image)
{
    const char *slash = strrchr(image, '/');
    snprintf(image_name, sizeof(image_name), "%s", slash ? slash + 1 : image);
    last_draw_ns = 0;
    ic_progress_set(draw, NULL);
}

void cli_progress_stop(void)
{
    ic_progress_set(NULL, NULL);
    pthread_mutex_lock(&progress_lock);
    fprintf(stderr, "\r\033[K");
    fflush(stderr);
    pthread_mutex_unlock(&progress_lock);
}
