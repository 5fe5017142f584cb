/* replay_main.c — a fuzz target without libFuzzer: runs its
 * LLVMFuzzerTestOneInput() over every file of
 *   $top_srcdir/tests/fuzz/corpus/FUZZ_NAME/   (the seeds; must not be empty)
 *   $top_srcdir/tests/fuzz/regress/FUZZ_NAME/  (inputs that once crashed it)
 * or over the files and directories given as arguments (to replay one crash
 * by hand: tests/fuzz/replay_request crash-1234).
 *
 * Built with the configured compiler as an ordinary `make check` program, so
 * every crash the fuzzers found stays a regression test, and the ASan CI pass
 * runs them under the sanitizers.  Each input is copied into a malloc of
 * exactly its size: reading past it is an ASan report here too.  A failed
 * check aborts (fuzz_check.h), which fails the test. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_check.h"

#ifndef FUZZ_NAME
#error "FUZZ_NAME must name the target, e.g. -DFUZZ_NAME='\"termtext\"'"
#endif

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay_%s: %s: %s\n", FUZZ_NAME, path, strerror(errno));
        return -1;
    }
    size_t capacity = 4096, size = 0;
    unsigned char *data = malloc(capacity);
    size_t n;
    while (data && (n = fread(data + size, 1, capacity - size, f)) > 0) {
        size += n;
        if (size == capacity) {
            unsigned char *grown = realloc(data, capacity * 2);
            if (!grown) {
                free(data);
                data = NULL;
                break;
            }
            data = grown;
            capacity *= 2;
        }
    }
    bool failed = ferror(f) != 0;
    fclose(f);
    if (!data || failed) {
        fprintf(stderr, "replay_%s: %s: cannot read\n", FUZZ_NAME, path);
        free(data);
        return -1;
    }
    /* Exactly `size` bytes (at least one, for malloc(0)). */
    unsigned char *exact = malloc(size ? size : 1);
    if (!exact) {
        free(data);
        return -1;
    }
    memcpy(exact, data, size);
    free(data);
    LLVMFuzzerTestOneInput(exact, size);
    free(exact);
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of dir in name order; returns how many, -1 on error. */
static long run_dir(const char *dir, bool must_exist)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (!must_exist && errno == ENOENT)
            return 0;
        fprintf(stderr, "replay_%s: %s: %s\n", FUZZ_NAME, dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t count = 0, capacity = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0)
            continue;
        if (count == capacity) {
            capacity = capacity ? capacity * 2 : 64;
            char **grown = realloc(names, capacity * sizeof *names);
            if (!grown)
                break;
            names = grown;
        }
        names[count] = malloc(strlen(dir) + strlen(e->d_name) + 2);
        if (!names[count])
            break;
        sprintf(names[count], "%s/%s", dir, e->d_name);
        count++;
    }
    closedir(d);
    qsort(names, count, sizeof *names, compare_names);
    long ran = 0;
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (ran >= 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            ran = run_file(names[i]) == 0 ? ran + 1 : -1;
        free(names[i]);
    }
    free(names);
    return ran;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            struct stat st;
            if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
                if (run_dir(argv[i], true) < 0)
                    return 1;
            } else if (run_file(argv[i]) != 0) {
                return 1;
            }
        }
        printf("replay_%s: %d inputs ran clean\n", FUZZ_NAME, argc - 1);
        return 0;
    }
    const char *top = getenv("top_srcdir");
    if (!top || !*top)
        top = ".";
    size_t size = strlen(top) + 64 + strlen(FUZZ_NAME);
    char *corpus = malloc(size), *regress = malloc(size);
    if (!corpus || !regress)
        return 1;
    snprintf(corpus, size, "%s/tests/fuzz/corpus/%s", top, FUZZ_NAME);
    snprintf(regress, size, "%s/tests/fuzz/regress/%s", top, FUZZ_NAME);
    long seeds = run_dir(corpus, true);
    long crashes = seeds < 0 ? -1 : run_dir(regress, false);
    int status = 0;
    if (seeds <= 0 || crashes < 0) {
        fprintf(stderr, "replay_%s: %s\n", FUZZ_NAME,
                seeds == 0 ? "the seed corpus is empty" : "could not read the inputs");
        status = 1;
    } else {
        printf("replay_%s: %ld seeds and %ld regression inputs ran clean\n", FUZZ_NAME, seeds,
               crashes);
    }
    free(corpus);
    free(regress);
    return status;
}
