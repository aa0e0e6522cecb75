// The stand-in for libFuzzer's driver in builds without it (see CFuzzDriver.h).
// Built with -DJOURNEY_LIBFUZZER, this file is empty and libFuzzer's own
// LLVMFuzzerRunDriver (from libclang_rt.fuzzer_no_main) is linked instead.
#include "CFuzzDriver.h"
#ifndef JOURNEY_LIBFUZZER
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int replay_file(const char *path, int (*callback)(const uint8_t *, size_t)) {
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "cannot read %s\n", path); return -1; }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) { fclose(f); return -1; }
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *bigger = realloc(buf, cap * 2);
            if (!bigger) { free(buf); fclose(f); return -1; }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    callback(buf, n);
    free(buf);
    return 1;
}

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *, size_t)) {
    int replayed = 0;
    for (int i = 1; i < *argc; i++) {
        const char *arg = (*argv)[i];
        if (arg[0] == '-') continue;  // a libFuzzer option: meaningless when replaying
        struct stat st;
        if (stat(arg, &st) != 0) { fprintf(stderr, "no such file or directory: %s\n", arg); return 1; }
        if (S_ISDIR(st.st_mode)) {
            DIR *d = opendir(arg);
            if (!d) return 1;
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (e->d_name[0] == '.') continue;
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", arg, e->d_name);
                if (replay_file(path, callback) > 0) replayed++;
            }
            closedir(d);
        } else if (replay_file(arg, callback) > 0) {
            replayed++;
        }
    }
    fprintf(stderr, "replayed %d input(s) without libFuzzer (build with Scripts/fuzz.sh to fuzz)\n", replayed);
    return 0;
}
#endif
#ifdef JOURNEY_LIBFUZZER
typedef int journey_libfuzzer_links_its_own_driver;
#endif
