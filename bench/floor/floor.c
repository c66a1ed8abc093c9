/* The floor of `neuron stats` on this machine: what the same job costs with nothing but the job.
 *
 *     floor FILE [THREADS]
 *
 * Reads FILE with pread into one 256 KiB buffer per thread (as neuron stats does), on all cores by default, and runs
 * each block through the same per-value work as NeuronKit's MomentsKernel on 128-bit vectors: sum, sum of magnitudes,
 * sum of squares, min, max and smallest magnitude, eight vector instructions per four floats, two sets of
 * accumulators, block totals into doubles. No parsing, no per-neuron bookkeeping, no output beyond one line.
 * bench.py times it beside `dd` and `neuron stats`; x86-64 only (SSE2, the baseline every x86-64 CPU has). */
#define _GNU_SOURCE
#include <emmintrin.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

enum { BLOCK = 256 * 1024, FLOATS = 4096 };

static int fd;
static off_t size;
static atomic_long next_block;

typedef struct { double sum, magnitudes, squares; float min, max, smallest; } moments;

static void add(const float *p, size_t n, moments *m)
{
    const __m128 sign = _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff));
    __m128 s0 = _mm_setzero_ps(), s1 = s0, a0 = s0, a1 = s0, q0 = s0, q1 = s0;
    __m128 lo = _mm_set1_ps(__builtin_inff()), hi = _mm_set1_ps(-__builtin_inff()), small = lo;
    for (size_t i = 0; i + 8 <= n; i += 8) {
        __m128 x = _mm_loadu_ps(p + i), y = _mm_loadu_ps(p + i + 4);
        __m128 ax = _mm_and_ps(x, sign), ay = _mm_and_ps(y, sign);
        s0 = _mm_add_ps(s0, x); s1 = _mm_add_ps(s1, y);
        a0 = _mm_add_ps(a0, ax); a1 = _mm_add_ps(a1, ay);
        q0 = _mm_add_ps(q0, _mm_mul_ps(x, x)); q1 = _mm_add_ps(q1, _mm_mul_ps(y, y));
        lo = _mm_min_ps(lo, _mm_min_ps(x, y));
        hi = _mm_max_ps(hi, _mm_max_ps(x, y));
        small = _mm_min_ps(small, _mm_min_ps(ax, ay));
    }
    float s[4], a[4], q[4], l[4], h[4], e[4];
    _mm_storeu_ps(s, _mm_add_ps(s0, s1)); _mm_storeu_ps(a, _mm_add_ps(a0, a1)); _mm_storeu_ps(q, _mm_add_ps(q0, q1));
    _mm_storeu_ps(l, lo); _mm_storeu_ps(h, hi); _mm_storeu_ps(e, small);
    for (int k = 0; k < 4; k++) {
        m->sum += s[k]; m->magnitudes += a[k]; m->squares += q[k];
        if (l[k] < m->min) m->min = l[k];
        if (h[k] > m->max) m->max = h[k];
        if (e[k] < m->smallest) m->smallest = e[k];
    }
}

static void *scan(void *result)
{
    float *buffer = aligned_alloc(64, BLOCK);
    moments *m = result;
    for (;;) {
        off_t at = (off_t)atomic_fetch_add(&next_block, 1) * BLOCK;
        if (at >= size) break;
        size_t want = size - at < BLOCK ? (size_t)(size - at) : BLOCK;
        ssize_t got = pread(fd, buffer, want, at);
        if (got != (ssize_t)want) { perror("pread"); exit(1); }
        for (size_t i = 0; i < want / sizeof(float); i += FLOATS) {
            size_t n = want / sizeof(float) - i;
            add(buffer + i, n < FLOATS ? n : FLOATS, m);
        }
    }
    free(buffer);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: floor FILE [THREADS]\n"); return 2; }
    struct stat st;
    if ((fd = open(argv[1], O_RDONLY)) < 0 || fstat(fd, &st) != 0) { perror(argv[1]); return 1; }
    size = st.st_size;
    long threads = argc > 2 ? atol(argv[2]) : sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1 || threads > 256) { fprintf(stderr, "threads: 1 to 256\n"); return 2; }
    pthread_t workers[256];
    moments results[256];
    for (long t = 0; t < threads; t++) {
        results[t] = (moments){0, 0, 0, __builtin_inff(), -__builtin_inff(), __builtin_inff()};
        if (pthread_create(&workers[t], NULL, scan, &results[t]) != 0) { perror("pthread_create"); return 1; }
    }
    moments all = {0, 0, 0, __builtin_inff(), -__builtin_inff(), __builtin_inff()};
    for (long t = 0; t < threads; t++) {
        pthread_join(workers[t], NULL);
        all.sum += results[t].sum; all.magnitudes += results[t].magnitudes; all.squares += results[t].squares;
        if (results[t].min < all.min) all.min = results[t].min;
        if (results[t].max > all.max) all.max = results[t].max;
        if (results[t].smallest < all.smallest) all.smallest = results[t].smallest;
    }
    /* Printed so that no compiler can drop the work. */
    printf("%ld threads: sum %g, sum |x| %g, sum x^2 %g, min %g, max %g, smallest |x| %g\n",
           threads, all.sum, all.magnitudes, all.squares, all.min, all.max, all.smallest);
    return 0;
}
