/*
 * faiss_binary.h — a C view of FAISS's IndexBinaryFlat for bench_detect's
 * Hamming baseline. Implemented in faiss_binary.cc (C++), built only when
 * CMake finds Debian's libfaiss-dev; bench_detect then has BENCH_HAVE_FAISS.
 */
#ifndef IPS_BENCH_FAISS_BINARY_H
#define IPS_BENCH_FAISS_BINARY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bench_faiss;

/* An exhaustive binary index of n codes of bits/8 bytes each (copied),
 * searched on one thread (OpenMP limited to 1, like the other baselines).
 * NULL on failure, with the reason in err. */
struct bench_faiss *bench_faiss_new(int bits, const uint8_t *codes, size_t n, char *err, size_t errcap);
void bench_faiss_free(struct bench_faiss *f);

/* Every stored code at Hamming distance < radius (FAISS's strict bound) from
 * each of the nq queries: query i's ids are (*ids)[(*lims)[i] .. (*lims)[i+1]),
 * ids being insertion positions 0..n-1. The caller frees *lims and *ids with
 * free(). 0 on success, -1 with the reason in err. */
int bench_faiss_range(const struct bench_faiss *f, const uint8_t *queries, size_t nq, int radius, size_t **lims,
                      int64_t **ids, char *err, size_t errcap);

/* "FAISS x.y.z" */
const char *bench_faiss_version(void);

#ifdef __cplusplus
}
#endif

#endif
