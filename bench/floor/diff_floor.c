/* The floor of `neuron diff` on this machine: what the same job costs with nothing but the job.
 *
 *     diff_floor A B [THREADS]
 *
 * Reads A and B side by side with pread, the same 512 KiB of each into two buffers per thread (as neuron diff's 1 MiB
 * blocks do), on all cores by default, and runs each pair of 4096-float rows through the same per-value work as
 * NeuronKit's DiffKernel on 128-bit vectors: both sides widened to double, sums of squares of A, of B and of the
 * difference, the dot product and the largest squared difference, two sets of accumulators. No parsing, no neurons,
 * no output beyond one line. bench.py times it beside `dd` of both files and `neuron diff`; x86-64 only (SSE2, the
 * baseline every x86-64 CPU has). */
#define _GNU_SOURCE
#include <emmintrin.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

enum { BLOCK = 512 * 1024, FLOATS = 4096 };

static int fd_a, fd_b;
static off_t size;
static atomic_long next_block;

typedef struct { double squares_a, squares_b, dot, squares_delta, largest_square; } sums;

static double total(__m128d v)
{
    double lanes[2];
    _mm_storeu_pd(lanes, v);
    return lanes[0] + lanes[1];
}

/* Not inlined: inside scan's loop clang ran out of xmm registers and reloaded an accumulator from the stack every
 * step (0.37 s instead of 0.27 s for the 2 GiB pair), which no floor should pay; NeuronKit's kernel keeps all nine. */
__attribute__((noinline)) static void add(const float *a, const float *b, size_t n, sums *s)
{
    __m128d qa0 = _mm_setzero_pd(), qa1 = qa0, qb0 = qa0, qb1 = qa0, d0 = qa0, d1 = qa0, qd0 = qa0, qd1 = qa0, big = qa0;
    for (size_t i = 0; i + 4 <= n; i += 4) {
        __m128 x = _mm_loadu_ps(a + i), y = _mm_loadu_ps(b + i);
        __m128d a0 = _mm_cvtps_pd(x), a1 = _mm_cvtps_pd(_mm_movehl_ps(x, x));
        __m128d b0 = _mm_cvtps_pd(y), b1 = _mm_cvtps_pd(_mm_movehl_ps(y, y));
        qa0 = _mm_add_pd(qa0, _mm_mul_pd(a0, a0)); qa1 = _mm_add_pd(qa1, _mm_mul_pd(a1, a1));
        qb0 = _mm_add_pd(qb0, _mm_mul_pd(b0, b0)); qb1 = _mm_add_pd(qb1, _mm_mul_pd(b1, b1));
        d0 = _mm_add_pd(d0, _mm_mul_pd(a0, b0)); d1 = _mm_add_pd(d1, _mm_mul_pd(a1, b1));
        b0 = _mm_sub_pd(b0, a0); b1 = _mm_sub_pd(b1, a1);
        b0 = _mm_mul_pd(b0, b0); b1 = _mm_mul_pd(b1, b1);
        qd0 = _mm_add_pd(qd0, b0); qd1 = _mm_add_pd(qd1, b1);
        big = _mm_max_pd(big, _mm_max_pd(b0, b1));
    }
    double lanes[2];
    _mm_storeu_pd(lanes, big);
    s->squares_a += total(_mm_add_pd(qa0, qa1));
    s->squares_b += total(_mm_add_pd(qb0, qb1));
    s->dot += total(_mm_add_pd(d0, d1));
    s->squares_delta += total(_mm_add_pd(qd0, qd1));
    if (lanes[0] > s->largest_square) s->largest_square = lanes[0];
    if (lanes[1] > s->largest_square) s->largest_square = lanes[1];
}

static void read_fully(int fd, float *buffer, size_t want, off_t at)
{
    if (pread(fd, buffer, want, at) != (ssize_t)want) { perror("pread"); exit(1); }
}

static void *scan(void *result)
{
    float *a = aligned_alloc(64, BLOCK), *b = aligned_alloc(64, BLOCK);
    sums *s = result;
    for (;;) {
        off_t at = (off_t)atomic_fetch_add(&next_block, 1) * BLOCK;
        if (at >= size) break;
        size_t want = size - at < BLOCK ? (size_t)(size - at) : BLOCK;
        read_fully(fd_a, a, want, at);
        read_fully(fd_b, b, want, at);
        for (size_t i = 0; i < want / sizeof(float); i += FLOATS) {
            size_t n = want / sizeof(float) - i;
            add(a + i, b + i, n < FLOATS ? n : FLOATS, s);
        }
    }
    free(a);
    free(b);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) { fprintf(stderr, "usage: diff_floor A B [THREADS]\n"); return 2; }
    struct stat st_a, st_b;
    if ((fd_a = open(argv[1], O_RDONLY)) < 0 || fstat(fd_a, &st_a) != 0) { perror(argv[1]); return 1; }
    if ((fd_b = open(argv[2], O_RDONLY)) < 0 || fstat(fd_b, &st_b) != 0) { perror(argv[2]); return 1; }
    /* Both files whole would differ by a few header bytes; the shorter length of each is read. */
    size = st_a.st_size < st_b.st_size ? st_a.st_size : st_b.st_size;
    long threads = argc > 3 ? atol(argv[3]) : sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1 || threads > 256) { fprintf(stderr, "threads: 1 to 256\n"); return 2; }
    pthread_t workers[256];
    sums results[256] = {0};
    for (long t = 0; t < threads; t++)
        if (pthread_create(&workers[t], NULL, scan, &results[t]) != 0) { perror("pthread_create"); return 1; }
    sums all = {0};
    for (long t = 0; t < threads; t++) {
        pthread_join(workers[t], NULL);
        all.squares_a += results[t].squares_a; all.squares_b += results[t].squares_b; all.dot += results[t].dot;
        all.squares_delta += results[t].squares_delta;
        if (results[t].largest_square > all.largest_square) all.largest_square = results[t].largest_square;
    }
    /* Printed so that no compiler can drop the work. */
    printf("%ld threads: sum a^2 %g, sum b^2 %g, sum ab %g, sum (b-a)^2 %g, largest (b-a)^2 %g\n",
           threads, all.squares_a, all.squares_b, all.dot, all.squares_delta, all.largest_square);
    return 0;
}
