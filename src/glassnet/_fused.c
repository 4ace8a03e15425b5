/* Optional compiled kernels: each does, in one pass over memory, the arithmetic of NumPy lines that
   stay in glassnet as the reference and the fallback (see glassnet/kernels.py), in the same order
   and precision, so results are the same bit for bit with or without this file.

   adam(W, dW, v, s, beta1, beta2, step_size, eps_t)      glassnet.optimizers.Adam._apply
       v = beta1 * v + (1 - beta1) * g
       s = beta2 * s + (g * g) * (1 - beta2)
       W = W - (v / (sqrt(s) + eps_t)) * step_size       (NumPy: 12 passes; here one)

   bias_relu(Z, b, A)                                     glassnet.activations.ReLU.add_bias_and_activate
       Z = Z + b            (b: one value per row of Z)
       A = maximum(Z, 0)    (NumPy's maximum: a NaN stays NaN)   (NumPy: 2 passes, and a slow maximum)

   relu_backward(dA, Z)                                   glassnet.activations.ReLU.backward
       dA = dA * (Z > 0)    (in place: dA becomes dZ)     (NumPy: a boolean temporary and 2 passes) */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

/* Built for the baseline CPU and, on x86-64 with GCC, also for AVX2, picked at load time. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define KERNEL __attribute__((noinline, target_clones("avx2", "default")))
#else
#define KERNEL __attribute__((noinline))
#endif

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
    KERNEL static void bias_relu_##SUFFIX(T *restrict Z, const T *restrict b, T *restrict A,      \
                                          Py_ssize_t rows, Py_ssize_t cols) {                     \
        for (Py_ssize_t i = 0; i < rows; i++) {                                                   \
            const T bi = b[i];                                                                    \
            T *restrict z = Z + i * cols;                                                         \
            T *restrict a = A + i * cols;                                                         \
            for (Py_ssize_t j = 0; j < cols; j++) {                                               \
                const T zj = z[j] + bi;                                                           \
                z[j] = zj;                                                                        \
                a[j] = (zj > 0 || zj != zj) ? zj : (T)0;                                          \
            }                                                                                     \
        }                                                                                         \
    }                                                                                             \
    KERNEL static void relu_backward_##SUFFIX(T *restrict dA, const T *restrict Z, Py_ssize_t n) { \
        for (Py_ssize_t i = 0; i < n; i++) {                                                      \
            const T d = dA[i]; /* d * 1 is d; as a select (with -fno-trapping-math) the loop vectorizes */ \
            dA[i] = Z[i] > 0 ? d : d * (T)0;                                                      \
        }                                                                                         \
    }

DEFINE_KERNELS(float, float, sqrtf)
DEFINE_KERNELS(double, double, sqrt)

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

static int acquire(Arrays *arrays, PyObject **objects, const char **names, const int *writable, int count) {
    arrays->count = 0;
    for (int i = 0; i < count; i++) {
        int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable[i] ? PyBUF_WRITABLE : 0);
        if (PyObject_GetBuffer(objects[i], &arrays->views[i], flags) < 0) {
            release(arrays);
            PyErr_Format(PyExc_TypeError, "%s must be a C-contiguous%s array", names[i],
                         writable[i] ? " writable" : "");
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

static Py_ssize_t length(Arrays *arrays, int i) {
    return arrays->views[i].len / arrays->views[i].itemsize;
}

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
    if (length(&arrays, 1) != n || length(&arrays, 2) != n || length(&arrays, 3) != n) {
        release(&arrays);
        PyErr_SetString(PyExc_ValueError, "W, dW, v and s must have the same size");
        return NULL;
    }
    void *W = arrays.views[0].buf, *g = arrays.views[1].buf, *v = arrays.views[2].buf, *s = arrays.views[3].buf;
    Py_BEGIN_ALLOW_THREADS
    if (arrays.is_double)
        adam_double(W, g, v, s, n, beta1, beta2, step, eps);
    else
        adam_float(W, g, v, s, n, beta1, beta2, step, eps);
    Py_END_ALLOW_THREADS
    release(&arrays);
    Py_RETURN_NONE;
}

static PyObject *bias_relu(PyObject *self, PyObject *args) {
    PyObject *objects[3];
    if (!PyArg_ParseTuple(args, "OOO", &objects[0], &objects[1], &objects[2])) return NULL;
    static const char *names[] = {"Z", "b", "A"};
    static const int writable[] = {1, 0, 1};
    Arrays arrays;
    if (acquire(&arrays, objects, names, writable, 3) < 0) return NULL;
    Py_ssize_t n = length(&arrays, 0), rows = length(&arrays, 1);
    if (length(&arrays, 2) != n || rows == 0 || n % rows != 0) {
        release(&arrays);
        PyErr_SetString(PyExc_ValueError, "Z and A must have the same size, a multiple of b's (one b per row)");
        return NULL;
    }
    void *Z = arrays.views[0].buf, *b = arrays.views[1].buf, *A = arrays.views[2].buf;
    Py_BEGIN_ALLOW_THREADS
    if (arrays.is_double)
        bias_relu_double(Z, b, A, rows, n / rows);
    else
        bias_relu_float(Z, b, A, rows, n / rows);
    Py_END_ALLOW_THREADS
    release(&arrays);
    Py_RETURN_NONE;
}

static PyObject *relu_backward(PyObject *self, PyObject *args) {
    PyObject *objects[2];
    if (!PyArg_ParseTuple(args, "OO", &objects[0], &objects[1])) return NULL;
    static const char *names[] = {"dA", "Z"};
    static const int writable[] = {1, 0};
    Arrays arrays;
    if (acquire(&arrays, objects, names, writable, 2) < 0) return NULL;
    Py_ssize_t n = length(&arrays, 0);
    if (length(&arrays, 1) != n) {
        release(&arrays);
        PyErr_SetString(PyExc_ValueError, "dA and Z must have the same size");
        return NULL;
    }
    void *dA = arrays.views[0].buf, *Z = arrays.views[1].buf;
    Py_BEGIN_ALLOW_THREADS
    if (arrays.is_double)
        relu_backward_double(dA, Z, n);
    else
        relu_backward_float(dA, Z, n);
    Py_END_ALLOW_THREADS
    release(&arrays);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"adam", adam, METH_VARARGS, "adam(W, dW, v, s, beta1, beta2, step_size, eps_t): one fused Adam pass."},
    {"bias_relu", bias_relu, METH_VARARGS, "bias_relu(Z, b, A): Z += b (per row), A = maximum(Z, 0)."},
    {"relu_backward", relu_backward, METH_VARARGS, "relu_backward(dA, Z): dA *= (Z > 0), in place."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fused", "Optional fused kernels.", -1, methods};

PyMODINIT_FUNC PyInit__fused(void) { return PyModule_Create(&module); }
