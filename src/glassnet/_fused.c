/* Optional compiled kernels: each does, in one pass over memory and split across the cores, the
   arithmetic of NumPy lines that stay in glassnet as the reference and the fallback (see
   glassnet/kernels.py), in the same order and precision, so results are the same bit for bit with or
   without this file. T is float32 or float64, the arrays' dtype; a Python float is rounded to T first,
   as NumPy does with a Python scalar.

   adam(W, dW, v, s, beta1, beta2, step_size, eps_t)      glassnet.optimizers.Adam._apply
       v = beta1 * v + (1 - beta1) * g
       s = beta2 * s + (g * g) * (1 - beta2)
       W = W - (v / (sqrt(s) + eps_t)) * step_size

   bias_act(Z, b, A, kind, alpha)                         glassnet.activations: add_bias_and_activate
       Z = Z + b                      (b: one value per row of Z)
       A = maximum(Z, 0)              kind RELU   (NumPy's maximum: a NaN stays NaN)
       A = maximum(Z, alpha * Z)      kind LEAKY
       (A untouched)                  kind BIAS   (the bias alone; NumPy's g follows)

   backward_sum(dA, Z, A, db, kind, alpha)                glassnet.activations: backward_and_sum
       dA = dA * (Z > 0)                          RELU     (in place: dA becomes dZ)
       dA = dA * where(Z > 0, 1, alpha)           LEAKY
       dA = dA * (1 - A * A)                      TANH
       dA = dA * (A * (1 - A))                    SIGMOID
       dA = dA                                    LINEAR
       db = sum over each row of dZ               (db None: no sum; NumPy's pairwise summation, the
                                                   same additions in the same order: one row, one core)

   output_dz(AL, Y, dZ, scale)                            glassnet.losses: Loss.output_dZ
       dZ = (AL - Y) * scale          Y: targets shaped like AL, or integer labels (1, m) of a softmax,
                                      where dZ = (AL - one_hot(Y)) * scale

   argmax_hits(AL, Y)                                     glassnet.metrics: batch_metric_sum (softmax)
       the number of columns j with argmax_k AL[k, j] == label j: Y's integer labels (1, m), or argmax_k Y[k, j]
       of a one-hot Y shaped like AL (NumPy's argmax: the first maximum; a NaN is the maximum, the first NaN)

   matmul(A, B, out)                                      glassnet.kernels.matmul: the layers' products
       out = A @ B                    NumPy's own gemm call, with beta = 1 on an out zeroed first ("products" below)

   gather(X, idx, out)                                    glassnet.minibatches: a mini-batch
       out[r] = X[idx[r]]             (rows of example-major storage; np.take(X, idx, axis=0, out=out))

   Threads: a kernel that moves at least min_parallel() bytes is shared by up to `threads` threads (the
   caller and helpers of a small pool, below): OMP_NUM_THREADS when set, else the machine's processors;
   set_threads(n) changes it (glassnet.kernels registers it with threadpoolctl). Threads share rows and
   elements, never a sum: the results do not depend on their number. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <string.h>

enum { RELU = 0, LEAKY = 1, BIAS = 2, TANH = 3, SIGMOID = 4, LINEAR = 5 };

/* Built for the baseline CPU and, on x86-64 with GCC, also for AVX2, picked at load time. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define KERNEL __attribute__((noinline, target_clones("avx2", "default")))
#else
#define KERNEL __attribute__((noinline))
#endif

/* ------------------------------------------------------------------------------------ threads */
/* A small pool of helper threads that take a share of a kernel's work when they are running, and are
   never waited for when they are not. A job is cut into chunks of ~CHUNK_BYTES; the caller and the
   helpers claim chunks one at a time from one counter; the caller returns once every chunk is done,
   so it waits only for chunks a helper has claimed (microseconds), never for a helper the scheduler
   has not run yet. (An OpenMP team waits at its barrier for every thread to arrive: on a shared
   2-core machine that is a time slice, 3-10 ms, for a kernel of 0.2 ms: bench/README.md.) */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#define CHUNK_BYTES (48 * 1024)
#define MAX_HELPERS 63
#define SPIN_NS 20000 /* a helper watches for the next job this long before it sleeps */
#define GEN_SHIFT 40  /* the job word: generation (24 bits) | chunks (20 bits) | next chunk (20 bits) */
#define COUNT_SHIFT 20
#define FIELD ((1ull << 20) - 1)

typedef void (*work_fn)(const void *ctx, Py_ssize_t lo, Py_ssize_t hi);

static struct {
    _Atomic unsigned long long word;  /* the current job, and its next unclaimed chunk */
    _Atomic Py_ssize_t finished;      /* chunks of the current job done */
    _Atomic int sleepers, stop;
    work_fn fn;                       /* the job: written before `word` publishes it */
    const void *ctx;
    Py_ssize_t n, per;
    int threads;                      /* the threads a job may use: OMP_NUM_THREADS, threadpoolctl */
    int helpers;                      /* helper threads started */
    pthread_mutex_t lock, submit;
    pthread_cond_t wake;
} pool = {.threads = 1, .lock = PTHREAD_MUTEX_INITIALIZER, .submit = PTHREAD_MUTEX_INITIALIZER,
          .wake = PTHREAD_COND_INITIALIZER};
static Py_ssize_t min_parallel_bytes = 4 << 20; /* measured: python -m bench.tricks --threshold (bench/README.md) */

static inline void relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000ll + t.tv_nsec;
}

/* Claim the next chunk of job `gen`: 1 and its range, or 0 when none is left (or another job runs). */
static int claim(unsigned long long gen, Py_ssize_t *lo, Py_ssize_t *hi) {
    unsigned long long word = atomic_load(&pool.word);
    for (;;) {
        const unsigned long long count = (word >> COUNT_SHIFT) & FIELD, index = word & FIELD;
        if ((word >> GEN_SHIFT) != gen || index >= count) return 0;
        if (atomic_compare_exchange_weak(&pool.word, &word, word + 1)) {
            /* job `gen` cannot end before this chunk is finished: its fields stay as they are */
            *lo = (Py_ssize_t)index * pool.per;
            *hi = *lo + pool.per < pool.n ? *lo + pool.per : pool.n;
            return 1;
        }
    }
}

static void work(unsigned long long gen) {
    Py_ssize_t lo, hi;
    while (claim(gen, &lo, &hi)) {
        pool.fn(pool.ctx, lo, hi);
        atomic_fetch_add(&pool.finished, 1);
    }
}

static void *helper(void *arg) {
    const int index = (int)(Py_ssize_t)arg;
    unsigned long long seen = atomic_load(&pool.word) >> GEN_SHIFT;
    while (!atomic_load(&pool.stop)) {
        long long until = now_ns() + SPIN_NS;
        unsigned long long gen;
        while ((gen = atomic_load(&pool.word) >> GEN_SHIFT) == seen && now_ns() < until) relax();
        if (gen == seen) {
            pthread_mutex_lock(&pool.lock);
            atomic_fetch_add(&pool.sleepers, 1);
            while ((gen = atomic_load(&pool.word) >> GEN_SHIFT) == seen && !atomic_load(&pool.stop))
                pthread_cond_wait(&pool.wake, &pool.lock);
            atomic_fetch_sub(&pool.sleepers, 1);
            pthread_mutex_unlock(&pool.lock);
        }
        seen = gen;
        if (index < pool.threads - 1) work(gen);
    }
    return NULL;
}

/* After fork() the child has no helpers: a fresh, empty pool (the parent's stays as it was). */
static void forget_helpers(void) {
    pthread_mutex_init(&pool.lock, NULL);
    pthread_mutex_init(&pool.submit, NULL);
    pthread_cond_init(&pool.wake, NULL);
    atomic_store(&pool.sleepers, 0);
    pool.helpers = 0;
}

/* One thread or the pool, for a job of this kernel and size, on this machine now: the way that has been
   faster. A second core pays when it is free; while BLAS's own threads wait for the next matrix product
   they hold it, and the pool then costs more than it gives (bench/README.md, "Threads in a training
   loop"). Each kernel and size class (log2 of the bytes moved) keeps the mean ns per byte of its runs
   each way (an exponential average, weight 1/4); a job runs the faster way, and every EXPLORE-th job of
   a class the other way, so a change of load is seen. Off (adaptive(0)): the pool for every job at or
   above min_parallel(). The way never changes a bit of the results. */
#define CLASSES 48
#define EXPLORE 32
typedef struct {
    double ns_per_byte[2]; /* [0] one thread, [1] the pool; 0: not measured yet */
    unsigned long long runs[2];
} Way;
enum { JOB_ADAM, JOB_BIAS_ACT, JOB_BACKWARD_ROWS, JOB_BACKWARD, JOB_GATHER, JOB_KINDS }; /* a Way table each */
static const char *job_names[JOB_KINDS] = {"adam", "bias_act", "backward_sum", "backward", "gather"};
static Way ways[JOB_KINDS][CLASSES];
static _Atomic int adaptive_ways = 1;

static int size_class(Py_ssize_t bytes) {
    int c = 0;
    while (bytes > 1 && c < CLASSES - 1) bytes >>= 1, c++;
    return c;
}

/* 1: the pool; 0: one thread (a way not yet measured is measured first; every EXPLORE-th run explores). */
static int pick_way(const Way *way) {
    const unsigned long long runs = way->runs[0] + way->runs[1];
    if (way->ns_per_byte[1] == 0) return 1;
    if (way->ns_per_byte[0] == 0) return 0;
    const int faster = way->ns_per_byte[1] < way->ns_per_byte[0];
    return runs % EXPLORE == EXPLORE - 1 ? !faster : faster;
}

static void remember_way(Way *way, int pool_way, long long ns, Py_ssize_t bytes) {
    const double rate = (double)ns / (double)bytes, old = way->ns_per_byte[pool_way];
    way->ns_per_byte[pool_way] = old == 0 ? rate : old + (rate - old) / 4;
    way->runs[pool_way]++;
}

/* fn(ctx, lo, hi) over [0, n) in chunks of whole `unit`s, on the pool's threads when the job moves at least
   min_parallel_bytes (item_bytes per item), the pool is free and (adaptive) the pool has been the faster
   way for this job's kind and size; else on this thread alone. */
static void parallel(int kind, work_fn fn, const void *ctx, Py_ssize_t n, Py_ssize_t unit, Py_ssize_t item_bytes) {
    Py_ssize_t per = (CHUNK_BYTES / (item_bytes > 0 ? item_bytes : 1) + unit - 1) / unit * unit;
    if (per < unit) per = unit;
    while ((n + per - 1) / per > (Py_ssize_t)FIELD) per *= 2;
    const Py_ssize_t bytes = n * item_bytes;
    if (pool.threads < 2 || bytes < min_parallel_bytes || n <= per || pthread_mutex_trylock(&pool.submit)) {
        fn(ctx, 0, n);
        return;
    }
    Way *way = atomic_load(&adaptive_ways) ? &ways[kind][size_class(bytes)] : NULL; /* under pool.submit */
    const long long start = way ? now_ns() : 0;
    if (way && !pick_way(way)) {
        fn(ctx, 0, n);
        remember_way(way, 0, now_ns() - start, bytes);
        pthread_mutex_unlock(&pool.submit);
        return;
    }
    if (pool.helpers < pool.threads - 1) way = NULL; /* starting threads is not the pool's usual cost */
    while (pool.helpers < pool.threads - 1 && pool.helpers < MAX_HELPERS) {
        pthread_t thread;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        const int failed = pthread_create(&thread, &attr, helper, (void *)(Py_ssize_t)pool.helpers);
        pthread_attr_destroy(&attr);
        if (failed) break;
        pool.helpers++;
    }
    const unsigned long long gen = ((atomic_load(&pool.word) >> GEN_SHIFT) + 1) & ((1ull << 24) - 1);
    const unsigned long long count = (unsigned long long)((n + per - 1) / per);
    pool.fn = fn, pool.ctx = ctx, pool.n = n, pool.per = per;
    atomic_store(&pool.finished, 0);
    atomic_store(&pool.word, (gen << GEN_SHIFT) | (count << COUNT_SHIFT));
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.lock);
    }
    work(gen);
    for (int spins = 0; atomic_load(&pool.finished) < (Py_ssize_t)count; spins++)
        if (spins > 1000) sched_yield(); /* a helper finishes a chunk it claimed: microseconds */
    if (way) remember_way(way, 1, now_ns() - start, bytes);
    pthread_mutex_unlock(&pool.submit);
}

static void forget_ahead(void); /* the gather ahead's thread, below */

static void start_pool(void) {
    static int started = 0;
    if (started++) return;
    const char *env = getenv("OMP_NUM_THREADS");
    long cpus = sysconf(_SC_NPROCESSORS_ONLN), wanted = env && *env ? strtol(env, NULL, 10) : cpus;
    pool.threads = wanted < 1 ? 1 : wanted > MAX_HELPERS + 1 ? MAX_HELPERS + 1 : (int)wanted;
    pthread_atfork(NULL, NULL, forget_helpers);
    pthread_atfork(NULL, NULL, forget_ahead);
}

/* ------------------------------------------------------------------------------------ arithmetic */
#define DEFINE_KERNELS(SUFFIX, T, SQRT)                                                           \
    KERNEL static void adam_##SUFFIX(T *restrict W, const T *restrict g, T *restrict v, T *restrict s, \
                                     Py_ssize_t n, double beta1, double beta2, double step, double eps) { \
        const T b1 = (T)beta1, c1 = (T)(1.0 - beta1), b2 = (T)beta2;                              \
        const T c2 = (T)(1.0 - beta2), e = (T)eps, a = (T)step;                                   \
        for (Py_ssize_t i = 0; i < n; i++) {                                                      \
            const T gi = g[i];                                                                    \
            const T vi = b1 * v[i] + c1 * gi;                                                     \
            const T si = b2 * s[i] + (gi * gi) * c2;                                              \
            v[i] = vi;                                                                            \
            s[i] = si;                                                                            \
            W[i] -= (vi / (SQRT(si) + e)) * a;                                                    \
        }                                                                                         \
    }                                                                                             \
    KERNEL static void bias_act_##SUFFIX(T *restrict z, T bi, T *restrict a, Py_ssize_t n, int kind, T alpha) { \
        if (kind == RELU) {                                                                       \
            for (Py_ssize_t j = 0; j < n; j++) {                                                  \
                const T zj = z[j] + bi;                                                           \
                z[j] = zj;                                                                        \
                a[j] = (zj > 0 || zj != zj) ? zj : (T)0;                                          \
            }                                                                                     \
        } else if (kind == LEAKY) {                                                               \
            for (Py_ssize_t j = 0; j < n; j++) {                                                  \
                const T zj = z[j] + bi, az = alpha * zj;                                          \
                z[j] = zj;                                                                        \
                a[j] = zj > az ? zj : az; /* equal only at ±0, where az is zj; NaN: az is NaN */  \
            }                                                                                     \
        } else {                                                                                  \
            for (Py_ssize_t j = 0; j < n; j++) z[j] += bi;                                        \
        }                                                                                         \
    }                                                                                             \
    KERNEL static void backward_##SUFFIX(T *restrict d, const T *restrict z, const T *restrict a, \
                                         Py_ssize_t n, int kind, T alpha) {                       \
        /* d * 1 is d; as selects (with -fno-trapping-math) the loops vectorize */                \
        if (kind == RELU)                                                                         \
            for (Py_ssize_t j = 0; j < n; j++) d[j] = z[j] > 0 ? d[j] : d[j] * (T)0;             \
        else if (kind == LEAKY)                                                                   \
            for (Py_ssize_t j = 0; j < n; j++) d[j] = z[j] > 0 ? d[j] : d[j] * alpha;            \
        else if (kind == TANH)                                                                    \
            for (Py_ssize_t j = 0; j < n; j++) d[j] = d[j] * ((T)1 - a[j] * a[j]);               \
        else if (kind == SIGMOID)                                                                 \
            for (Py_ssize_t j = 0; j < n; j++) d[j] = d[j] * (a[j] * ((T)1 - a[j]));             \
    }                                                                                             \
    /* NumPy's pairwise summation (numpy/_core/src/umath/loops_utils.h.src), the same additions in \
       the same order; a reduction adds the result to the initial 0. */                           \
    static T pairwise_##SUFFIX(const T *x, Py_ssize_t n) {                                        \
        if (n < 8) {                                                                              \
            T res = 0;                                                                            \
            for (Py_ssize_t i = 0; i < n; i++) res += x[i];                                       \
            return res;                                                                           \
        }                                                                                         \
        if (n <= 128) {                                                                           \
            T r[8];                                                                               \
            Py_ssize_t i;                                                                         \
            for (int k = 0; k < 8; k++) r[k] = x[k];                                              \
            for (i = 8; i < n - (n % 8); i += 8)                                                  \
                for (int k = 0; k < 8; k++) r[k] += x[i + k];                                     \
            T res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));            \
            for (; i < n; i++) res += x[i];                                                       \
            return res;                                                                           \
        }                                                                                         \
        Py_ssize_t n2 = n / 2;                                                                    \
        n2 -= n2 % 8;                                                                             \
        return pairwise_##SUFFIX(x, n2) + pairwise_##SUFFIX(x + n2, n - n2);                      \
    }                                                                                             \
    /* NumPy's argmax down column j of a (rows, cols) array: the first maximum, or the first NaN */         \
    static Py_ssize_t column_argmax_##SUFFIX(const T *a, Py_ssize_t rows, Py_ssize_t cols, Py_ssize_t j) { \
        Py_ssize_t best = 0;                                                                      \
        T top = a[j];                                                                             \
        if (top != top) return 0;                                                                 \
        for (Py_ssize_t k = 1; k < rows; k++) {                                                   \
            const T x = a[k * cols + j];                                                          \
            if (!(x <= top)) { /* larger, or NaN */                                               \
                best = k, top = x;                                                                \
                if (x != x) break;                                                                \
            }                                                                                     \
        }                                                                                         \
        return best;                                                                              \
    }                                                                                             \
    static Py_ssize_t argmax_hits_##SUFFIX(const T *al, const T *y, const Py_ssize_t *labels, Py_ssize_t rows, \
                                           Py_ssize_t cols) {                                     \
        Py_ssize_t hits = 0;                                                                      \
        for (Py_ssize_t j = 0; j < cols; j++)                                                     \
            hits += column_argmax_##SUFFIX(al, rows, cols, j) ==                                  \
                    (labels ? labels[j] : column_argmax_##SUFFIX(y, rows, cols, j));              \
        return hits;                                                                              \
    }                                                                                             \
    static void output_dz_##SUFFIX(const T *restrict al, const T *restrict y, const Py_ssize_t *labels, \
                                   T *restrict dz, Py_ssize_t rows, Py_ssize_t cols, T c) {       \
        for (Py_ssize_t k = 0; k < rows; k++)                                                     \
            for (Py_ssize_t j = 0; j < cols; j++) {                                               \
                const Py_ssize_t i = k * cols + j;                                                \
                if (labels)                                                                       \
                    dz[i] = labels[j] == k ? (al[i] - (T)1) * c : al[i] * c;                      \
                else                                                                              \
                    dz[i] = (al[i] - y[i]) * c;                                                   \
            }                                                                                     \
    }

DEFINE_KERNELS(float, float, sqrtf)
DEFINE_KERNELS(double, double, sqrt)

/* ------------------------------------------------------------------------------------ arguments */
/* A buffer format without a byte-order prefix that means this machine's order: NumPy spells a dtype
   with an explicit order ('<f8', as scipy.io.loadmat and h5py return) as '<d', which is plain 'd' here. */
static const char *native_format(const char *format) {
#if PY_LITTLE_ENDIAN
    if (format[0] == '@' || format[0] == '=' || format[0] == '<') return format + 1;
#else
    if (format[0] == '@' || format[0] == '=' || format[0] == '>' || format[0] == '!') return format + 1;
#endif
    return format;
}

/* The arguments' buffers: C-contiguous, the given ones writable, one float format for all. */
#define MAX_ARRAYS 4
typedef struct {
    Py_buffer views[MAX_ARRAYS];
    int count;
    int is_double;
} Arrays;

static void release(Arrays *arrays) {
    for (int i = 0; i < arrays->count; i++) PyBuffer_Release(&arrays->views[i]);
    arrays->count = 0;
}

static int get_buffer(Py_buffer *view, PyObject *object, const char *name, int writable) {
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(object, view, flags) == 0) return 0;
    PyErr_Format(PyExc_TypeError, "%s must be a C-contiguous%s array", name, writable ? " writable" : "");
    return -1;
}

static int acquire(Arrays *arrays, PyObject **objects, const char **names, const int *writable, int count) {
    arrays->count = 0;
    for (int i = 0; i < count; i++) {
        if (get_buffer(&arrays->views[i], objects[i], names[i], writable[i]) < 0) {
            release(arrays);
            return -1;
        }
        arrays->count++;
    }
    const char *format = native_format(arrays->views[0].format);
    if (strcmp(format, "f") != 0 && strcmp(format, "d") != 0) {
        PyErr_Format(PyExc_TypeError, "%s has dtype format '%s'; the kernels take float32 or float64 in the "
                     "machine's byte order", names[0], arrays->views[0].format);
        release(arrays);
        return -1;
    }
    for (int i = 1; i < count; i++) {
        if (strcmp(native_format(arrays->views[i].format), format) != 0) {
            PyErr_Format(PyExc_TypeError, "%s and %s must have the same dtype", names[0], names[i]);
            release(arrays);
            return -1;
        }
    }
    arrays->is_double = strcmp(format, "d") == 0;
    return 0;
}

/* Integer indices (np.intp) of values in [0, limit): a C-contiguous buffer. */
static int acquire_indices(Py_buffer *view, PyObject *object, const char *name, Py_ssize_t limit) {
    if (get_buffer(view, object, name, 0) < 0) return -1;
    const char *format = native_format(view->format);
    if (view->itemsize != sizeof(Py_ssize_t) || strchr("lqn", format[0]) == NULL || format[1] != '\0') {
        PyErr_Format(PyExc_TypeError, "%s must be an np.intp array, got format '%s'", name, view->format);
        PyBuffer_Release(view);
        return -1;
    }
    const Py_ssize_t *values = view->buf, n = view->len / view->itemsize;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (values[i] < 0 || values[i] >= limit) {
            PyErr_Format(PyExc_ValueError, "%s[%zd] = %zd is outside 0..%zd", name, i, values[i], limit - 1);
            PyBuffer_Release(view);
            return -1;
        }
    }
    return 0;
}

static Py_ssize_t length(Arrays *arrays, int i) {
    return arrays->views[i].len / arrays->views[i].itemsize;
}

static PyObject *size_error(Arrays *arrays, const char *message) {
    release(arrays);
    PyErr_SetString(PyExc_ValueError, message);
    return NULL;
}

/* ------------------------------------------------------------------------------------ the jobs */
typedef struct {
    char *W, *g, *v, *s;
    double beta1, beta2, step, eps;
    int is_double;
    Py_ssize_t size;
} AdamJob;

static void adam_work(const void *ctx, Py_ssize_t lo, Py_ssize_t hi) {
    const AdamJob *j = ctx;
    const Py_ssize_t at = lo * j->size;
    if (j->is_double)
        adam_double((double *)(j->W + at), (double *)(j->g + at), (double *)(j->v + at), (double *)(j->s + at),
                    hi - lo, j->beta1, j->beta2, j->step, j->eps);
    else
        adam_float((float *)(j->W + at), (float *)(j->g + at), (float *)(j->v + at), (float *)(j->s + at), hi - lo,
                   j->beta1, j->beta2, j->step, j->eps);
}

/* Row-wise work on (rows, cols) arrays: x (Z or dA), y (A or Z), z (A), per-row r (b or db). */
typedef struct {
    char *x, *y, *z, *r;
    Py_ssize_t cols;
    int kind;
    double alpha;
    int is_double;
} RowsJob;

static void bias_act_work(const void *ctx, Py_ssize_t lo, Py_ssize_t hi) {
    const RowsJob *j = ctx;
    for (Py_ssize_t i = lo; i < hi; i++) {
        if (j->is_double)
            bias_act_double((double *)j->x + i * j->cols, ((double *)j->r)[i], (double *)j->y + i * j->cols, j->cols,
                            j->kind, j->alpha);
        else
            bias_act_float((float *)j->x + i * j->cols, ((float *)j->r)[i], (float *)j->y + i * j->cols, j->cols,
                           j->kind, (float)j->alpha);
    }
}

static void backward_rows_work(const void *ctx, Py_ssize_t lo, Py_ssize_t hi) {
    const RowsJob *j = ctx;
    const Py_ssize_t c = j->cols;
    for (Py_ssize_t i = lo; i < hi; i++) {
        if (j->is_double) {
            double *d = (double *)j->x + i * c;
            backward_double(d, (double *)j->y + i * c, (double *)j->z + i * c, c, j->kind, j->alpha);
            ((double *)j->r)[i] = 0.0 + pairwise_double(d, c);
        } else {
            float *d = (float *)j->x + i * c;
            backward_float(d, (float *)j->y + i * c, (float *)j->z + i * c, c, j->kind, (float)j->alpha);
            ((float *)j->r)[i] = 0.0f + pairwise_float(d, c);
        }
    }
}

static void backward_work(const void *ctx, Py_ssize_t lo, Py_ssize_t hi) { /* elements lo..hi, no sums */
    const RowsJob *j = ctx;
    if (j->is_double)
        backward_double((double *)j->x + lo, (double *)j->y + lo, (double *)j->z + lo, hi - lo, j->kind, j->alpha);
    else
        backward_float((float *)j->x + lo, (float *)j->y + lo, (float *)j->z + lo, hi - lo, j->kind, (float)j->alpha);
}

typedef struct {
    const char *X;
    char *out;
    const Py_ssize_t *at;
    Py_ssize_t row_bytes;
} GatherJob;

/* The rows are scattered through X, each a wait for memory: the next GATHER_AHEAD rows are asked for while one
   is copied, so their waits overlap instead of adding up. */
#ifndef GATHER_AHEAD
#define GATHER_AHEAD 4
#endif
static void prefetch_row(const GatherJob *j, Py_ssize_t r) {
    const char *row = j->X + j->at[r] * j->row_bytes;
    for (Py_ssize_t b = 0; b < j->row_bytes; b += 64) __builtin_prefetch(row + b, 0, 0);
}

static void gather_work(const void *ctx, Py_ssize_t lo, Py_ssize_t hi) {
    const GatherJob *j = ctx;
    for (Py_ssize_t r = lo; r < hi && r < lo + GATHER_AHEAD; r++) prefetch_row(j, r);
    for (Py_ssize_t r = lo; r < hi; r++) {
        if (r + GATHER_AHEAD < hi) prefetch_row(j, r + GATHER_AHEAD);
        memcpy(j->out + r * j->row_bytes, j->X + j->at[r] * j->row_bytes, j->row_bytes);
    }
}

/* The next mini-batch while this one trains: gather_ahead(X, idx, out) hands the copy to a thread of its own
   and returns; gather_wait() returns once it is done. In a training loop the caller then scores and steps
   (Python, the optimizer's pass over memory) on its core, while BLAS's thread waits for the next product
   on the other core, spinning; the woken copy runs there in its place (measured: bench/README.md, "The next
   mini-batch while this one steps"). The thread is kept off the caller's processor: beside the caller it
   would take the caller's time. With one thread allowed (threadpoolctl, OMP_NUM_THREADS=1), one processor,
   or another Python thread's copy under way, gather_ahead copies before it returns. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    int started;            /* the thread runs */
    int posted;             /* a copy waits for the thread (under lock) */
    _Atomic int busy;       /* a copy is posted or running: gather_wait waits for 0 */
    int holding;            /* the buffers below are held until their owner's gather_wait */
    unsigned long owner;    /* the Python thread that started the copy: only it waits for it */
    int off_cpu;            /* the processor the thread was last kept off, -1 none */
    Py_buffer X, out, idx;
    GatherJob job;
    Py_ssize_t rows;
} ahead = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .off_cpu = -1};

static void *ahead_thread(void *arg) {
    (void)arg;
    pthread_mutex_lock(&ahead.lock);
    for (;;) {
        while (!ahead.posted) pthread_cond_wait(&ahead.wake, &ahead.lock);
        ahead.posted = 0;
        pthread_mutex_unlock(&ahead.lock);
        gather_work(&ahead.job, 0, ahead.rows);
        atomic_store(&ahead.busy, 0);
        pthread_mutex_lock(&ahead.lock);
    }
    return NULL;
}

/* Keep the thread off the caller's processor (and on the others it may use); 0 when no other is allowed. */
static int ahead_off_caller(void) {
#ifndef __linux__
    return 0; /* no way to keep it off the caller's processor: the caller copies */
#else
    const int cpu = sched_getcpu();
    if (cpu < 0) return ahead.off_cpu >= 0; /* not known: the last placement, if any */
    if (cpu == ahead.off_cpu) return 1;
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return 0;
    CPU_CLR(cpu, &allowed);
    if (CPU_COUNT(&allowed) == 0 || pthread_setaffinity_np(ahead.thread, sizeof allowed, &allowed) != 0) return 0;
    ahead.off_cpu = cpu;
    return 1;
#endif
}

static void ahead_wait(void) {
    for (int spins = 0; atomic_load(&ahead.busy); spins++)
        if (spins > 1000) sched_yield(); else relax();
}

/* After fork() the child has no thread: it starts one when it first needs it. */
static void forget_ahead(void) {
    pthread_mutex_init(&ahead.lock, NULL);
    pthread_cond_init(&ahead.wake, NULL);
    ahead.started = ahead.posted = ahead.holding = 0;
    ahead.off_cpu = -1;
    atomic_store(&ahead.busy, 0);
}

/* ------------------------------------------------------------------------------------ the functions */
static PyObject *adam(PyObject *self, PyObject *args) {
    PyObject *objects[4];
    double beta1, beta2, step, eps;
    if (!PyArg_ParseTuple(args, "OOOOdddd", &objects[0], &objects[1], &objects[2], &objects[3], &beta1,
                          &beta2, &step, &eps))
        return NULL;
    static const char *names[] = {"W", "dW", "v", "s"};
    static const int writable[] = {1, 0, 1, 1};
    Arrays arrays;
    if (acquire(&arrays, objects, names, writable, 4) < 0) return NULL;
    Py_ssize_t n = length(&arrays, 0);
    if (length(&arrays, 1) != n || length(&arrays, 2) != n || length(&arrays, 3) != n)
        return size_error(&arrays, "W, dW, v and s must have the same size");
    const AdamJob job = {arrays.views[0].buf, arrays.views[1].buf, arrays.views[2].buf, arrays.views[3].buf,
                         beta1, beta2, step, eps, arrays.is_double, arrays.views[0].itemsize};
    Py_BEGIN_ALLOW_THREADS
    parallel(JOB_ADAM, adam_work, &job, n, 16, 7 * job.size);
    Py_END_ALLOW_THREADS
    release(&arrays);
    Py_RETURN_NONE;
}

static PyObject *bias_act(PyObject *self, PyObject *args) {
    PyObject *objects[3];
    int kind;
    double alpha;
    if (!PyArg_ParseTuple(args, "OOOid", &objects[0], &objects[1], &objects[2], &kind, &alpha)) return NULL;
    if (kind != RELU && kind != LEAKY && kind != BIAS) {
        PyErr_Format(PyExc_ValueError, "bias_act's kind must be RELU, LEAKY or BIAS, got %d", kind);
        return NULL;
    }
    static const char *names[] = {"Z", "b", "A"};
    static const int writable[] = {1, 0, 1};
    Arrays arrays;
    if (acquire(&arrays, objects, names, writable, 3) < 0) return NULL;
    Py_ssize_t n = length(&arrays, 0), rows = length(&arrays, 1);
    if (length(&arrays, 2) != n || rows == 0 || n % rows != 0)
        return size_error(&arrays, "Z and A must have the same size, a multiple of b's (one b per row)");
    const RowsJob job = {arrays.views[0].buf, arrays.views[2].buf, NULL, arrays.views[1].buf, n / rows, kind, alpha,
                         arrays.is_double};
    Py_BEGIN_ALLOW_THREADS
    parallel(JOB_BIAS_ACT, bias_act_work, &job, rows, 1, 3 * job.cols * arrays.views[0].itemsize);
    Py_END_ALLOW_THREADS
    release(&arrays);
    Py_RETURN_NONE;
}

static PyObject *backward_sum(PyObject *self, PyObject *args) {
    PyObject *objects[4];
    int kind;
    double alpha;
    if (!PyArg_ParseTuple(args, "OOOOid", &objects[0], &objects[1], &objects[2], &objects[3], &kind, &alpha))
        return NULL;
    if (kind != RELU && kind != LEAKY && kind != TANH && kind != SIGMOID && kind != LINEAR) {
        PyErr_Format(PyExc_ValueError, "backward_sum's kind must be RELU, LEAKY, TANH, SIGMOID or LINEAR, got %d",
                     kind);
        return NULL;
    }
    static const char *names[] = {"dA", "Z", "A", "db"};
    static const int writable[] = {1, 0, 0, 1};
    const int summed = objects[3] != Py_None;
    Arrays arrays;
    if (acquire(&arrays, objects, names, writable, 3 + summed) < 0) return NULL;
    Py_ssize_t n = length(&arrays, 0), rows = summed ? length(&arrays, 3) : 1;
    if (length(&arrays, 1) != n || length(&arrays, 2) != n || rows == 0 || n % rows != 0)
        return size_error(&arrays, "dA, Z and A must have the same size, a multiple of db's (one db per row)");
    const RowsJob job = {arrays.views[0].buf, arrays.views[1].buf, arrays.views[2].buf,
                         summed ? arrays.views[3].buf : NULL, n / rows, kind, alpha, arrays.is_double};
    const Py_ssize_t item_bytes = (kind == LINEAR ? 1 : 3) * job.cols * arrays.views[0].itemsize;
    Py_BEGIN_ALLOW_THREADS
    if (summed)
        parallel(JOB_BACKWARD_ROWS, backward_rows_work, &job, rows, 1, item_bytes); /* a row at a time: summed while in the cache */
    else
        parallel(JOB_BACKWARD, backward_work, &job, n, 16, item_bytes / job.cols);
    Py_END_ALLOW_THREADS
    release(&arrays);
    Py_RETURN_NONE;
}

/* The targets Y for AL's n values: integer labels (1, m) of AL (C, m), where *labels is set and *rows = C, or
   values of AL's dtype and size (*labels NULL, *rows = 1). Y's buffer is held in *y; -1 (AL's released) on error. */
static int targets_argument(PyObject *targets, Arrays *arrays, Py_buffer *y, const Py_ssize_t **labels,
                            Py_ssize_t *rows, Py_ssize_t *cols) {
    const Py_ssize_t n = length(arrays, 0);
    if (get_buffer(y, targets, "Y", 0) < 0) {
        release(arrays);
        return -1;
    }
    const char *y_format = native_format(y->format);
    const int is_labels = strcmp(y_format, "f") != 0 && strcmp(y_format, "d") != 0;
    *cols = y->len / y->itemsize, *rows = 1, *labels = NULL;
    if (is_labels) {
        *rows = *cols ? n / *cols : 0;
        PyBuffer_Release(y);
        if (acquire_indices(y, targets, "Y (integer labels)", *rows) < 0) {
            release(arrays);
            return -1;
        }
        *labels = y->buf;
    } else if (strcmp(y_format, native_format(arrays->views[0].format)) != 0) {
        PyBuffer_Release(y);
        release(arrays);
        PyErr_SetString(PyExc_TypeError, "AL and Y must have the same dtype");
        return -1;
    }
    if (*rows * *cols != n) {
        PyBuffer_Release(y);
        size_error(arrays, "Y must be shaped like AL, or integer labels (1, m) for AL (C, m)");
        return -1;
    }
    return 0;
}

static PyObject *output_dz(PyObject *self, PyObject *args) {
    PyObject *objects[3], *targets;
    double scale;
    if (!PyArg_ParseTuple(args, "OOOd", &objects[0], &targets, &objects[2], &scale)) return NULL;
    objects[1] = objects[2];
    static const char *names[] = {"AL", "dZ", "dZ"};
    static const int writable[] = {0, 1, 1};
    Arrays arrays;
    if (acquire(&arrays, objects, names, writable, 2) < 0) return NULL;
    if (length(&arrays, 1) != length(&arrays, 0)) return size_error(&arrays, "AL and dZ must have the same size");
    Py_buffer y;
    const Py_ssize_t *labels;
    Py_ssize_t rows, cols;
    if (targets_argument(targets, &arrays, &y, &labels, &rows, &cols) < 0) return NULL;
    const void *al = arrays.views[0].buf, *yb = labels ? NULL : y.buf;
    void *dz = arrays.views[1].buf;
    if (arrays.is_double)
        output_dz_double(al, yb, labels, dz, rows, cols, scale);
    else
        output_dz_float(al, yb, labels, dz, rows, cols, (float)scale);
    PyBuffer_Release(&y);
    release(&arrays);
    Py_RETURN_NONE;
}

static PyObject *argmax_hits(PyObject *self, PyObject *args) {
    PyObject *objects[1], *targets;
    if (!PyArg_ParseTuple(args, "OO", &objects[0], &targets)) return NULL;
    static const char *names[] = {"AL"};
    static const int writable[] = {0};
    Arrays arrays;
    if (acquire(&arrays, objects, names, writable, 1) < 0) return NULL;
    if (arrays.views[0].ndim != 2) return size_error(&arrays, "AL must be 2-D: (C, m)");
    Py_buffer y;
    const Py_ssize_t *labels;
    Py_ssize_t rows, cols;
    if (targets_argument(targets, &arrays, &y, &labels, &rows, &cols) < 0) return NULL;
    if (!labels) { /* one-hot: shaped like AL itself */
        rows = arrays.views[0].shape[0], cols = arrays.views[0].shape[1];
        if (y.ndim != 2 || y.shape[0] != rows || y.shape[1] != cols) {
            PyBuffer_Release(&y);
            return size_error(&arrays, "Y must be shaped like AL, or integer labels (1, m) for AL (C, m)");
        }
    }
    const Py_ssize_t hits = arrays.is_double ? argmax_hits_double(arrays.views[0].buf, y.buf, labels, rows, cols)
                                             : argmax_hits_float(arrays.views[0].buf, y.buf, labels, rows, cols);
    PyBuffer_Release(&y);
    release(&arrays);
    return PyLong_FromSsize_t(hits);
}

/* gather's and gather_ahead's arguments (X, idx, out): the buffers held (release them, or hand them on) and the
   job; -1 with an exception set. */
static int gather_arguments(PyObject *args, Arrays *arrays, Py_buffer *idx, GatherJob *job, Py_ssize_t *rows) {
    PyObject *objects[2], *index;
    if (!PyArg_ParseTuple(args, "OOO", &objects[0], &index, &objects[1])) return -1;
    static const char *names[] = {"X", "out"};
    static const int writable[] = {0, 1};
    if (acquire(arrays, objects, names, writable, 2) < 0) return -1;
    if (arrays->views[0].ndim != 2 || arrays->views[1].ndim != 2 ||
        arrays->views[0].shape[1] != arrays->views[1].shape[1]) {
        size_error(arrays, "X (m, n) and out (b, n) must be 2-D with the same rows' length");
        return -1;
    }
    if (acquire_indices(idx, index, "idx", arrays->views[0].shape[0]) < 0) {
        release(arrays);
        return -1;
    }
    *rows = idx->len / idx->itemsize;
    if (*rows != arrays->views[1].shape[0]) {
        PyBuffer_Release(idx);
        size_error(arrays, "out must have one row per index");
        return -1;
    }
    *job = (GatherJob){arrays->views[0].buf, arrays->views[1].buf, idx->buf,
                       arrays->views[0].shape[1] * arrays->views[0].itemsize};
    return 0;
}

static PyObject *gather(PyObject *self, PyObject *args) {
    Arrays arrays;
    Py_buffer idx;
    GatherJob job;
    Py_ssize_t rows;
    if (gather_arguments(args, &arrays, &idx, &job, &rows) < 0) return NULL;
    Py_BEGIN_ALLOW_THREADS
    parallel(JOB_GATHER, gather_work, &job, rows, 1, 2 * job.row_bytes);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&idx);
    release(&arrays);
    Py_RETURN_NONE;
}

/* Wait for the copy this Python thread's gather_ahead started, then let go of its buffers. Called with the GIL,
   which guards `holding` and `owner`: while the owner waits, another thread finds the copy held and copies
   on its own. */
static void finish_ahead(void) {
    if (!ahead.holding || ahead.owner != PyThread_get_thread_ident()) return;
    Py_BEGIN_ALLOW_THREADS
    ahead_wait();
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&ahead.X);
    PyBuffer_Release(&ahead.out);
    PyBuffer_Release(&ahead.idx);
    ahead.holding = 0;
}

static PyObject *gather_wait(PyObject *self, PyObject *args) {
    finish_ahead();
    Py_RETURN_NONE;
}

/* Hand the copy to the ahead thread: 1, or 0 when it cannot run off the caller's processor. */
static int post_ahead(Arrays *arrays, Py_buffer *idx, const GatherJob *job, Py_ssize_t rows) {
    if (pool.threads < 2) return 0;
    if (!ahead.started) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        ahead.started = pthread_create(&ahead.thread, &attr, ahead_thread, NULL) == 0;
        pthread_attr_destroy(&attr);
        ahead.off_cpu = -1;
    }
    if (ahead.holding || !ahead.started || !ahead_off_caller()) return 0; /* held: another thread's copy */
    ahead.X = arrays->views[0], ahead.out = arrays->views[1], ahead.idx = *idx;
    ahead.holding = 1, ahead.owner = PyThread_get_thread_ident();
    ahead.job = *job, ahead.rows = rows;
    atomic_store(&ahead.busy, 1);
    pthread_mutex_lock(&ahead.lock);
    ahead.posted = 1;
    pthread_cond_signal(&ahead.wake);
    pthread_mutex_unlock(&ahead.lock);
    return 1;
}

static PyObject *gather_ahead(PyObject *self, PyObject *args) {
    finish_ahead(); /* one copy at a time: this thread's last one is waited for */
    Arrays arrays;
    Py_buffer idx;
    GatherJob job;
    Py_ssize_t rows;
    if (gather_arguments(args, &arrays, &idx, &job, &rows) < 0) return NULL;
    const int posted = post_ahead(&arrays, &idx, &job, rows);
    if (!posted) {
        Py_BEGIN_ALLOW_THREADS
        gather_work(&job, 0, rows);
        Py_END_ALLOW_THREADS
        PyBuffer_Release(&idx);
        release(&arrays);
    }
    return PyBool_FromLong(posted);
}

static PyObject *min_parallel(PyObject *self, PyObject *args) {
    Py_ssize_t bytes = -1, previous = min_parallel_bytes;
    if (!PyArg_ParseTuple(args, "|n", &bytes)) return NULL;
    if (bytes >= 0) min_parallel_bytes = bytes;
    return PyLong_FromSsize_t(previous);
}

static PyObject *adaptive(PyObject *self, PyObject *args) {
    int on = -1;
    if (!PyArg_ParseTuple(args, "|p", &on)) return NULL;
    const int previous = atomic_load(&adaptive_ways);
    if (on >= 0) atomic_store(&adaptive_ways, on);
    return PyBool_FromLong(previous);
}

static PyObject *way_stats(PyObject *self, PyObject *args) {
    PyObject *rows = PyList_New(0);
    if (rows == NULL) return NULL;
    pthread_mutex_lock(&pool.submit);
    for (int k = 0; k < JOB_KINDS; k++)
        for (int c = 0; c < CLASSES; c++) {
            const Way *w = &ways[k][c];
            if (w->runs[0] + w->runs[1] == 0) continue;
            PyObject *row = Py_BuildValue("{s:s,s:n,s:K,s:K,s:d,s:d}", "kernel", job_names[k], "bytes_from",
                                          (Py_ssize_t)1 << c, "runs_one", w->runs[0], "runs_pool", w->runs[1],
                                          "ns_per_byte_one", w->ns_per_byte[0], "ns_per_byte_pool", w->ns_per_byte[1]);
            if (row == NULL || PyList_Append(rows, row) < 0) {
                Py_XDECREF(row);
                Py_DECREF(rows);
                pthread_mutex_unlock(&pool.submit);
                return NULL;
            }
            Py_DECREF(row);
        }
    pthread_mutex_unlock(&pool.submit);
    return rows;
}

static PyObject *forget_ways(PyObject *self, PyObject *args) {
    pthread_mutex_lock(&pool.submit);
    memset(ways, 0, sizeof ways);
    pthread_mutex_unlock(&pool.submit);
    Py_RETURN_NONE;
}

static PyObject *max_threads(PyObject *self, PyObject *args) {
    return PyLong_FromLong(pool.threads);
}

static PyObject *set_threads(PyObject *self, PyObject *args) {
    int threads;
    if (!PyArg_ParseTuple(args, "i", &threads)) return NULL;
    if (threads < 1) {
        PyErr_Format(PyExc_ValueError, "threads must be at least 1, got %d", threads);
        return NULL;
    }
    pool.threads = threads > MAX_HELPERS + 1 ? MAX_HELPERS + 1 : threads;
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------------------------ products */
/* matmul(A, B, out): out = A @ B by the cblas_?gemm call np.matmul(A, B, out=out) makes, in NumPy's own
   BLAS, with beta = 1 on an out zeroed here where NumPy passes beta = 0. OpenBLAS computes
   C = alpha op(A) op(B) + beta C by first scaling C by beta in a pass of its own (with beta = 0: zeroing
   it), then adding each block of the product to C; that pass cost more than this memset (bench/README.md,
   "The products without OpenBLAS's beta pass"). The additions are the same, 0 + x = x block by block, so
   the values are NumPy's. Not always every bit: for small products OpenBLAS's beta = 0 call may take a
   kernel of its own that stores each sum as it is, where this one adds it to +0, so a sum of -0 comes back
   +0, and of two NaN operands a different one may come back. The call is NumPy's
   (numpy/_core/src/umath/matmul.c.src): row-major; A without transposition when its rows are contiguous
   (lda = its row stride), else transposed (lda = its column stride); B likewise; out C-contiguous (ldc =
   its columns). Returns False, touching nothing, where NumPy would not call gemm (a dimension of 1 or 0,
   A @ A.T), for strides BLAS cannot take, unaligned or overlapping arrays, other dtypes, and when NumPy's
   BLAS was not found: scipy-openblas's 64-bit-integer interface (the NumPy wheels' BLAS), looked for
   among the loaded libraries on Linux, NumPy's own copy (numpy.libs) first. No floating-point status is
   checked (np.matmul warns of an overflow; glassnet's callers say it in words). glassnet.kernels checks
   once that its products equal NumPy's. */
#ifdef __linux__
#include <dlfcn.h>
#include <link.h>
#endif
#include <stdint.h>

typedef void (*sgemm_fn)(int, int, int, int64_t, int64_t, int64_t, float, const float *, int64_t,
                         const float *, int64_t, float, float *, int64_t);
typedef void (*dgemm_fn)(int, int, int, int64_t, int64_t, int64_t, double, const double *, int64_t,
                         const double *, int64_t, double, double *, int64_t);
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 }; /* CBLAS's codes */
static struct {
    int searched;
    sgemm_fn sgemm;
    dgemm_fn dgemm;
} blas;

#ifdef __linux__
#define CANDIDATES 8
typedef struct {
    char *names[CANDIDATES];
    int count;
} Candidates;

/* The loaded libraries named like OpenBLAS (only their names: no dlopen while the list is walked). */
static int note_openblas(struct dl_phdr_info *info, size_t size, void *data) {
    Candidates *found = data;
    if (info->dlpi_name != NULL && strstr(info->dlpi_name, "openblas") != NULL && found->count < CANDIDATES) {
        char *name = strdup(info->dlpi_name);
        if (name != NULL) found->names[found->count++] = name;
    }
    return 0;
}

static int bind_gemm(const char *name) {
    void *library = dlopen(name, RTLD_LAZY | RTLD_NOLOAD); /* loaded already: kept, not loaded */
    if (library == NULL) return 0;
    void *s = dlsym(library, "scipy_cblas_sgemm64_"), *d = dlsym(library, "scipy_cblas_dgemm64_");
    if (s == NULL || d == NULL) {
        dlclose(library);
        return 0;
    }
    blas.sgemm = (sgemm_fn)s;
    blas.dgemm = (dgemm_fn)d;
    return 1;
}
#endif

static int blas_found(void) {
    if (!blas.searched) {
        blas.searched = 1;
#ifdef __linux__
        Candidates found = {.count = 0};
        dl_iterate_phdr(note_openblas, &found);
        for (int numpys = 1; numpys >= 0 && blas.sgemm == NULL; numpys--) /* NumPy's copy first */
            for (int i = 0; i < found.count && blas.sgemm == NULL; i++)
                if ((strstr(found.names[i], "numpy.libs") != NULL) == numpys) bind_gemm(found.names[i]);
        for (int i = 0; i < found.count; i++) free(found.names[i]);
#endif
    }
    return blas.sgemm != NULL;
}

/* NumPy's is_blasable2d: rows `step1` bytes apart, unit steps along a row of d2 values. */
static int blasable(Py_ssize_t step1, Py_ssize_t step2, Py_ssize_t d2, Py_ssize_t item) {
    return step2 == item && step1 % item == 0 && step1 / item >= d2;
}

/* The operand's transposition and leading dimension as NumPy passes them; 0 where BLAS cannot take it. */
static int operand(const Py_buffer *v, Py_ssize_t item, int64_t *ld) {
    const Py_ssize_t *st = v->strides;
    if ((uintptr_t)v->buf % item != 0) return 0;
    if (blasable(st[0], st[1], v->shape[1], item)) {
        *ld = st[0] / item;
        return NO_TRANS;
    }
    if (blasable(st[1], st[0], v->shape[0], item)) {
        *ld = st[1] / item;
        return TRANS;
    }
    return 0;
}

static int overlaps(const Py_buffer *v, const Py_buffer *out) {
    const char *lo = v->buf, *hi = lo + (v->shape[0] - 1) * v->strides[0] + (v->shape[1] - 1) * v->strides[1]
                                     + v->itemsize;
    const char *out_lo = out->buf, *out_hi = out_lo + out->len;
    return lo < out_hi && out_lo < hi;
}

static PyObject *matmul(PyObject *self, PyObject *args) {
    PyObject *objects[3];
    if (!PyArg_ParseTuple(args, "OOO", &objects[0], &objects[1], &objects[2])) return NULL;
    Py_buffer v[3];
    const int flags[3] = {PyBUF_STRIDES | PyBUF_FORMAT, PyBUF_STRIDES | PyBUF_FORMAT,
                          PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_WRITABLE};
    int held = 0;
    for (; held < 3; held++)
        if (PyObject_GetBuffer(objects[held], &v[held], flags[held]) < 0) break;
    int taken = 0;
    if (held == 3 && blas_found() && v[0].ndim == 2 && v[1].ndim == 2 && v[2].ndim == 2) {
        const char *format = native_format(v[0].format);
        const int is_double = strcmp(format, "d") == 0;
        const Py_ssize_t item = is_double ? sizeof(double) : sizeof(float);
        const Py_ssize_t m = v[0].shape[0], n = v[0].shape[1], p = v[1].shape[1];
        const int same_float = (is_double || strcmp(format, "f") == 0) && v[0].itemsize == item &&
                               strcmp(native_format(v[1].format), format) == 0 &&
                               strcmp(native_format(v[2].format), format) == 0;
        const int shapes = v[1].shape[0] == n && v[2].shape[0] == m && v[2].shape[1] == p &&
                           m > 1 && n > 1 && p > 1; /* NumPy's special cases: a dimension of 1 (or 0) */
        int64_t lda = 0, ldb = 0;
        const int ta = same_float && shapes ? operand(&v[0], item, &lda) : 0;
        const int tb = same_float && shapes ? operand(&v[1], item, &ldb) : 0;
        const int syrk = v[0].buf == v[1].buf && ta != tb; /* NumPy calls syrk for A @ A.T */
        if (ta && tb && !syrk && (uintptr_t)v[2].buf % item == 0 &&
            !overlaps(&v[0], &v[2]) && !overlaps(&v[1], &v[2])) {
            Py_BEGIN_ALLOW_THREADS
            memset(v[2].buf, 0, (size_t)v[2].len);
            if (is_double)
                blas.dgemm(ROW_MAJOR, ta, tb, m, p, n, 1.0, v[0].buf, lda, v[1].buf, ldb, 1.0, v[2].buf, p);
            else
                blas.sgemm(ROW_MAJOR, ta, tb, m, p, n, 1.0f, v[0].buf, lda, v[1].buf, ldb, 1.0f, v[2].buf, p);
            Py_END_ALLOW_THREADS
            taken = 1;
        }
    }
    for (int i = 0; i < held; i++) PyBuffer_Release(&v[i]);
    if (held < 3) { /* not an array BLAS can take (out not C-contiguous, read-only): NumPy's way */
        if (!PyErr_ExceptionMatches(PyExc_BufferError) && !PyErr_ExceptionMatches(PyExc_TypeError) &&
            !PyErr_ExceptionMatches(PyExc_ValueError))
            return NULL;
        PyErr_Clear();
    }
    return PyBool_FromLong(taken);
}

static PyMethodDef methods[] = {
    {"adam", adam, METH_VARARGS, "adam(W, dW, v, s, beta1, beta2, step_size, eps_t): one fused Adam pass."},
    {"bias_act", bias_act, METH_VARARGS, "bias_act(Z, b, A, kind, alpha): Z += b (per row), A = g(Z)."},
    {"backward_sum", backward_sum, METH_VARARGS,
     "backward_sum(dA, Z, A, db, kind, alpha): dA *= g'(Z) in place; db = row sums of it (db None: none)."},
    {"output_dz", output_dz, METH_VARARGS, "output_dz(AL, Y, dZ, scale): dZ = (AL - Y) * scale."},
    {"argmax_hits", argmax_hits, METH_VARARGS,
     "argmax_hits(AL, Y): the columns whose argmax is their label (Y integer labels (1, m) or one-hot like AL)."},
    {"matmul", matmul, METH_VARARGS,
     "matmul(A, B, out): out = A @ B by NumPy's gemm call with beta = 1 on a zeroed out; False: not taken "
     "(nothing done; NumPy's BLAS not found, or a product NumPy would not give to gemm)."},
    {"gather", gather, METH_VARARGS, "gather(X, idx, out): out[r] = X[idx[r]] (rows)."},
    {"gather_ahead", gather_ahead, METH_VARARGS,
     "gather_ahead(X, idx, out): start out[r] = X[idx[r]] on a thread of its own, off the caller's processor, and "
     "return (True) before it is done; gather_wait() waits. False: copied already (one thread allowed)."},
    {"gather_wait", gather_wait, METH_NOARGS, "Wait for the copy gather_ahead started (none: return at once)."},
    {"min_parallel", min_parallel, METH_VARARGS,
     "min_parallel([bytes]): the memory traffic from which a kernel uses every thread; returns the previous."},
    {"adaptive", adaptive, METH_VARARGS,
     "adaptive([on]): whether a job at or above min_parallel() runs the way (one thread or the pool) that has "
     "been faster for its kernel and size (on), or always on the pool (off); returns the previous setting."},
    {"way_stats", way_stats, METH_NOARGS,
     "[{kernel, bytes_from, runs_one, runs_pool, ns_per_byte_one, ns_per_byte_pool}]: what adaptive has measured."},
    {"forget_ways", forget_ways, METH_NOARGS, "Forget what adaptive has measured (each way is measured anew)."},
    {"max_threads", max_threads, METH_NOARGS, "The threads a large kernel uses now."},
    {"set_threads", set_threads, METH_VARARGS, "set_threads(n): the threads a large kernel may use from now on."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fused", "Optional fused kernels.", -1, methods};

PyMODINIT_FUNC PyInit__fused(void) {
    start_pool();
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    if (PyModule_AddIntConstant(m, "RELU", RELU) < 0 || PyModule_AddIntConstant(m, "LEAKY", LEAKY) < 0 ||
        PyModule_AddIntConstant(m, "BIAS", BIAS) < 0 || PyModule_AddIntConstant(m, "TANH", TANH) < 0 ||
        PyModule_AddIntConstant(m, "SIGMOID", SIGMOID) < 0 || PyModule_AddIntConstant(m, "LINEAR", LINEAR) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
