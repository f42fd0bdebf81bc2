// faiss_binary.cc — FAISS IndexBinaryFlat behind the C interface of
// faiss_binary.h (bench_detect's second Hamming baseline). Debian's
// libfaiss-dev ships only the C++ library, no libfaiss_c, hence this wrapper.
#include "faiss_binary.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include <omp.h>

#include <faiss/IndexBinaryFlat.h>
#include <faiss/impl/AuxIndexStructures.h>

struct bench_faiss {
    faiss::IndexBinaryFlat index;
    explicit bench_faiss(int bits) : index(bits) {}
};

extern "C" struct bench_faiss *bench_faiss_new(int bits, const uint8_t *codes, size_t n, char *err, size_t errcap)
{
    try {
        omp_set_num_threads(1);
        auto *f = new bench_faiss(bits);
        f->index.add(static_cast<faiss::Index::idx_t>(n), codes);
        return f;
    } catch (const std::exception &e) {
        std::snprintf(err, errcap, "faiss: %s", e.what());
        return nullptr;
    }
}

extern "C" void bench_faiss_free(struct bench_faiss *f)
{
    delete f;
}

extern "C" int bench_faiss_range(const struct bench_faiss *f, const uint8_t *queries, size_t nq, int radius,
                                 size_t **lims, int64_t **ids, char *err, size_t errcap)
{
    *lims = nullptr;
    *ids = nullptr;
    try {
        faiss::RangeSearchResult res(static_cast<faiss::Index::idx_t>(nq));
        f->index.range_search(static_cast<faiss::Index::idx_t>(nq), queries, radius, &res);
        size_t total = res.lims[nq];
        *lims = static_cast<size_t *>(std::malloc((nq + 1) * sizeof **lims));
        *ids = static_cast<int64_t *>(std::malloc((total ? total : 1) * sizeof **ids));
        if (!*lims || !*ids) {
            std::free(*lims);
            std::free(*ids);
            *lims = nullptr;
            *ids = nullptr;
            std::snprintf(err, errcap, "out of memory");
            return -1;
        }
        for (size_t i = 0; i <= nq; i++)
            (*lims)[i] = res.lims[i];
        for (size_t i = 0; i < total; i++)
            (*ids)[i] = res.labels[i];
        return 0;
    } catch (const std::exception &e) {
        std::snprintf(err, errcap, "faiss: %s", e.what());
        return -1;
    }
}

extern "C" const char *bench_faiss_version(void)
{
    static char v[32];
    std::snprintf(v, sizeof v, "FAISS %d.%d.%d", FAISS_VERSION_MAJOR, FAISS_VERSION_MINOR, FAISS_VERSION_PATCH);
    return v;
}
