/* One fused pass of the Adam update over flat, contiguous parameter vectors.

   The same arithmetic, in the same order and precision, as the NumPy path of
   glassnet.optimizers.Adam._apply (which stays the reference and the fallback):

       v = beta1 * v + (1 - beta1) * g
       s = beta2 * s + (g * g) * (1 - beta2)
       W = W - (v / (sqrt(s) + eps_t)) * step_size

   The NumPy path makes 12 passes over memory; this makes one. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

static int get(PyObject *obj, Py_buffer *view, const char *name, int writable) {
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0) {
        PyErr_Format(PyExc_TypeError, "%s must be a C-contiguous%s array", name, writable ? " writable" : "");
        return -1;
    }
    return 0;
}

/* Built for the baseline CPU and, on x86-64 with GCC, also for AVX2, picked at load time. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define KERNEL __attribute__((noinline, target_clones("avx2", "default")))
#else
#define KERNEL __attribute__((noinline))
#endif

#define DEFINE_ADAM(NAME, T, SQRT)                                                        \
    KERNEL static void NAME(T *restrict W, const T *restrict g, T *restrict v, T *restrict s,         \
                     Py_ssize_t n, double beta1, double beta2, double step, double eps) {     \
        const T b1 = (T)beta1, c1 = (T)(1.0 - beta1), b2 = (T)beta2;                          \
        const T c2 = (T)(1.0 - beta2), e = (T)eps, a = (T)step;                               \
        for (Py_ssize_t i = 0; i < n; i++) {                                                  \
            const T gi = g[i];                                                                \
            const T vi = b1 * v[i] + c1 * gi;                                                 \
            const T si = b2 * s[i] + (gi * gi) * c2;                                          \
            v[i] = vi;                                                                        \
            s[i] = si;                                                                        \
            W[i] -= (vi / (SQRT(si) + e)) * a;                                                \
        }                                                                                     \
    }

DEFINE_ADAM(adam_float, float, sqrtf)
DEFINE_ADAM(adam_double, double, sqrt)

static PyObject *adam(PyObject *self, PyObject *args) {
    PyObject *ow, *og, *ov, *os;
    double beta1, beta2, step, eps;
    if (!PyArg_ParseTuple(args, "OOOOdddd", &ow, &og, &ov, &os, &beta1, &beta2, &step, &eps))
        return NULL;
    Py_buffer bw, bg, bv, bs;
    if (get(ow, &bw, "W", 1) < 0) return NULL;
    if (get(og, &bg, "dW", 0) < 0) { PyBuffer_Release(&bw); return NULL; }
    if (get(ov, &bv, "v", 1) < 0) { PyBuffer_Release(&bw); PyBuffer_Release(&bg); return NULL; }
    if (get(os, &bs, "s", 1) < 0) {
        PyBuffer_Release(&bw); PyBuffer_Release(&bg); PyBuffer_Release(&bv); return NULL;
    }
    PyObject *result = NULL;
    const char *f = bw.format;
    int same = bw.len == bg.len && bw.len == bv.len && bw.len == bs.len && bw.itemsize == bg.itemsize
               && bw.itemsize == bv.itemsize && bw.itemsize == bs.itemsize
               && strcmp(f, bg.format) == 0 && strcmp(f, bv.format) == 0 && strcmp(f, bs.format) == 0;
    if (!same) {
        PyErr_SetString(PyExc_ValueError, "W, dW, v and s must have the same size and dtype");
    } else if (strcmp(f, "f") == 0) {
        Py_ssize_t n = bw.len / (Py_ssize_t)sizeof(float);
        Py_BEGIN_ALLOW_THREADS
        adam_float((float *)bw.buf, (const float *)bg.buf, (float *)bv.buf, (float *)bs.buf, n, beta1, beta2,
                   step, eps);
        Py_END_ALLOW_THREADS
        result = Py_None;
    } else if (strcmp(f, "d") == 0) {
        Py_ssize_t n = bw.len / (Py_ssize_t)sizeof(double);
        Py_BEGIN_ALLOW_THREADS
        adam_double((double *)bw.buf, (const double *)bg.buf, (double *)bv.buf, (double *)bs.buf, n, beta1, beta2,
                    step, eps);
        Py_END_ALLOW_THREADS
        result = Py_None;
    } else {
        PyErr_Format(PyExc_TypeError, "unsupported dtype format '%s' (float32 or float64)", f);
    }
    PyBuffer_Release(&bw); PyBuffer_Release(&bg); PyBuffer_Release(&bv); PyBuffer_Release(&bs);
    Py_XINCREF(result);
    return result;
}

static PyMethodDef methods[] = {
    {"adam", adam, METH_VARARGS, "adam(W, dW, v, s, beta1, beta2, step_size, eps_t): one fused Adam pass."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fused", "Fused optimizer kernels.", -1, methods};

PyMODINIT_FUNC PyInit__fused(void) { return PyModule_Create(&module); }
