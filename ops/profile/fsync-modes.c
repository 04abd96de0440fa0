// What one durable append costs this disk, four ways (issue 11): append then fsync (what Pix did), append then
// fdatasync, overwrite a zero-filled file then fdatasync (what Pix does), overwrite zeros then fsync.
//
//   gcc -O2 -o /tmp/fsync-modes ops/profile/fsync-modes.c
//   for round in 1 2 3; do for mode in 0 1 2 3; do taskset -c 0 /tmp/fsync-modes $mode 2; done; done
//
// Prints, per mode, the syncs done in SECONDS and the wall and CPU time of each (write included). The file lives in
// /tmp (the disk the bench's data directories use) and is deleted at the end.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static double cpu(void) {
    struct rusage r; getrusage(RUSAGE_SELF, &r);
    return r.ru_utime.tv_sec + r.ru_stime.tv_sec + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: fsync-modes MODE(0-3) SECONDS [BYTES, default 1600]\n"); return 64; }
    int mode = atoi(argv[1]); double seconds = atof(argv[2]); int size = argc > 3 ? atoi(argv[3]) : 1600;
    static const char *names[] = { "append + fsync", "append + fdatasync", "zeros + fdatasync", "zeros + fsync" };
    char path[] = "/tmp/fsync-modes.bin";
    unlink(path);
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (fd < 0) { perror("open"); return 1; }
    char *record = malloc(size); memset(record, 'x', size);
    if (mode >= 2) {
        // Zero-filled and durable before the clock starts: the appends below change no size.
        long capacity = 256L << 20; char *zeros = calloc(1, 1 << 20);
        for (long at = 0; at < capacity; at += 1 << 20) pwrite(fd, zeros, 1 << 20, at);
        fsync(fd);
    }
    double wall0 = now(), cpu0 = cpu(); long syncs = 0, at = 0;
    while (now() - wall0 < seconds) {
        pwrite(fd, record, size, at); at += size;
        if (mode == 0 || mode == 3) fsync(fd); else fdatasync(fd);
        syncs++;
    }
    double wall = now() - wall0, used = cpu() - cpu0;
    printf("mode %d (%s): %ld syncs, %.1f us wall each, %.1f us CPU each\n", mode, names[mode], syncs, wall / syncs * 1e6, used / syncs * 1e6);
    unlink(path);
    return 0;
}
